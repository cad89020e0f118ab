// The embedded store: one SQLite file (`platform.db`) under the data directory.
import type { Store } from '../store.ts';
import { dataFile, directWriter, groupCommitWriter, openDb, type Db, type Durability, type GroupCommitOptions, type Writer } from './db.ts';
import { SqliteCallStore } from './calls.ts';
import { SqliteEposEventStore, SqliteOutboxStore } from './events.ts';
import { SqliteFlowStore } from './flows.ts';
import { SqliteIntegrationStore } from './integrations.ts';
import { SqliteKeyStore } from './keys.ts';
import { MIGRATIONS } from './migrations.ts';

export interface SqliteStoreOptions {
  /** `full` (default): acknowledged writes survive an OS crash (docs/durability.md). `normal`: the benchmark baseline only. */
  durability?: Durability;
  groupCommit?: GroupCommitOptions;
}

export class SqliteStore implements Store {
  readonly db: Db;
  readonly writer: Writer;
  readonly keys: SqliteKeyStore;
  readonly integrations: SqliteIntegrationStore;
  readonly flows: SqliteFlowStore;
  readonly outbox: SqliteOutboxStore;
  readonly eposEvents: SqliteEposEventStore;
  readonly calls: SqliteCallStore;

  constructor(dataDir: string, opts: SqliteStoreOptions = {}) {
    const durability = opts.durability ?? 'full';
    this.db = openDb(dataFile(dataDir, 'platform.db'), MIGRATIONS, durability);
    this.writer = durability === 'full' ? groupCommitWriter(this.db, opts.groupCommit) : directWriter();
    this.keys = new SqliteKeyStore(this.db, this.writer);
    this.integrations = new SqliteIntegrationStore(this.db, this.writer);
    this.flows = new SqliteFlowStore(this.db, this.writer);
    this.outbox = new SqliteOutboxStore(this.db, this.writer);
    this.eposEvents = new SqliteEposEventStore(this.db, this.writer);
    this.calls = new SqliteCallStore(this.db, this.writer);
  }

  async ping(): Promise<void> {
    // Throws once the database is closed (or the file is gone bad).
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writer.flush();
    this.db.close();
  }
}
