// The cluster store: PostgreSQL, shared by every node (docs/cluster.md). Open it with PostgresStore.open:
// the migrations run before the first query.
import type { Store } from '../store.ts';
import { Pg, type PostgresStoreOptions } from './db.ts';
import { PgCallStore } from './calls.ts';
import { PgEposEventStore, PgOutboxStore } from './events.ts';
import { PgFlowStore } from './flows.ts';
import { PgIntegrationStore } from './integrations.ts';
import { PgKeyStore } from './keys.ts';
import { migrate } from './migrations.ts';

export type { PostgresStoreOptions } from './db.ts';

export class PostgresStore implements Store {
  readonly keys: PgKeyStore;
  readonly integrations: PgIntegrationStore;
  readonly flows: PgFlowStore;
  readonly outbox: PgOutboxStore;
  readonly eposEvents: PgEposEventStore;
  readonly calls: PgCallStore;
  private closed = false;

  private constructor(readonly db: Pg) {
    this.keys = new PgKeyStore(db);
    this.integrations = new PgIntegrationStore(db);
    this.flows = new PgFlowStore(db);
    this.outbox = new PgOutboxStore(db);
    this.eposEvents = new PgEposEventStore(db);
    this.calls = new PgCallStore(db);
  }

  /** Connects and migrates; several nodes may do so at once (the migration takes an advisory lock). */
  static async open(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const db = new Pg(url, opts);
    try {
      await migrate(db);
    } catch (err) {
      await db.close();
      throw err;
    }
    return new PostgresStore(db);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the store is closed');
    await this.db.rows('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  abort(): void {
    this.closed = true;
    this.db.abort();
  }
}
