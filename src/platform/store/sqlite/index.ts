// The embedded store: one SQLite file (`platform.db`) under the data directory.
import type { Store } from '../store.ts';
import { dataFile, openDb, type Db } from './db.ts';
import { SqliteEposEventStore, SqliteOutboxStore } from './events.ts';
import { SqliteFlowStore } from './flows.ts';
import { SqliteIntegrationStore } from './integrations.ts';
import { SqliteKeyStore } from './keys.ts';
import { MIGRATIONS } from './migrations.ts';

export class SqliteStore implements Store {
  readonly db: Db;
  readonly keys: SqliteKeyStore;
  readonly integrations: SqliteIntegrationStore;
  readonly flows: SqliteFlowStore;
  readonly outbox: SqliteOutboxStore;
  readonly eposEvents: SqliteEposEventStore;

  constructor(dataDir: string) {
    this.db = openDb(dataFile(dataDir, 'platform.db'), MIGRATIONS);
    this.keys = new SqliteKeyStore(this.db);
    this.integrations = new SqliteIntegrationStore(this.db);
    this.flows = new SqliteFlowStore(this.db);
    this.outbox = new SqliteOutboxStore(this.db);
    this.eposEvents = new SqliteEposEventStore(this.db);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
