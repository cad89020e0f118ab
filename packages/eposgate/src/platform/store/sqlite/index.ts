// The embedded store: SQLite files under the data directory, `platform.db` and the call log's own `calls.db`.
import type { Store } from '../store.ts';
import { dataFile, directWriter, groupCommitWriter, openDb, type Db, type Durability, type GroupCommitOptions, type Writer } from './db.ts';
import { CALL_WRITES, SqliteCallStore } from './calls.ts';
import { CallWriter, type CallWriterOptions } from './callWriter.ts';
import { SqliteEposEventStore, SqliteOutboxStore } from './events.ts';
import { SqliteFlowStore } from './flows.ts';
import { SqliteIntegrationStore } from './integrations.ts';
import { SqliteKeyStore } from './keys.ts';
import { CALL_LOG_MIGRATIONS, MIGRATIONS } from './migrations.ts';

export interface SqliteStoreOptions {
  /** `full` (default): acknowledged writes survive an OS crash (docs/durability.md). `normal`: the benchmark baseline only. */
  durability?: Durability;
  groupCommit?: GroupCommitOptions;
  /** The call log's writer thread: `idle` (default) yields the CPU to calls, `normal` does not (callWriter.ts, WriterPriority). */
  callWriterPriority?: CallWriterOptions['priority'];
}

export class SqliteStore implements Store {
  readonly db: Db;
  /** The call log's file: its commits do not fsync (docs/call-log.md, "Storage"). */
  readonly callsDb: Db;
  readonly writer: Writer;
  readonly keys: SqliteKeyStore;
  readonly integrations: SqliteIntegrationStore;
  readonly flows: SqliteFlowStore;
  readonly outbox: SqliteOutboxStore;
  readonly eposEvents: SqliteEposEventStore;
  readonly calls: SqliteCallStore;
  /** The thread that makes calls.db's writes (callWriter.ts). */
  readonly callWriter: CallWriter;

  constructor(dataDir: string, opts: SqliteStoreOptions = {}) {
    const durability = opts.durability ?? 'full';
    this.db = openDb(dataFile(dataDir, 'platform.db'), MIGRATIONS, durability);
    this.writer = durability === 'full' ? groupCommitWriter(this.db, opts.groupCommit) : directWriter();
    this.keys = new SqliteKeyStore(this.db, this.writer);
    this.integrations = new SqliteIntegrationStore(this.db, this.writer);
    this.flows = new SqliteFlowStore(this.db, this.writer);
    this.outbox = new SqliteOutboxStore(this.db, this.writer);
    this.eposEvents = new SqliteEposEventStore(this.db, this.writer);
    // 16 KiB pages: a batch of ~1 KB rows writes fewer WAL frames (one write each) than with 4 KiB.
    try {
      this.callsDb = openDb(dataFile(dataDir, 'calls.db'), CALL_LOG_MIGRATIONS, 'normal', { pageSize: 16_384 });
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.callWriter = new CallWriter(dataFile(dataDir, 'calls.db'), CALL_WRITES, { priority: opts.callWriterPriority ?? 'idle' });
    this.calls = new SqliteCallStore(this.callsDb, this.callWriter);
  }

  async ping(): Promise<void> {
    // Throws once the database is closed (or the file is gone bad).
    this.db.prepare('SELECT 1').get();
    this.callsDb.prepare('SELECT 1').get();
  }

  /**
   * Synchronous under its promise: the open group-commit batch is committed before close() returns
   * to its caller, so a drain's time bound cannot cut it and no write waiting for its commit is lost.
   */
  async close(): Promise<void> {
    if (this.db.open) {
      this.writer.flush();
      this.db.close();
    }
    await this.callWriter.close();
    if (this.callsDb.open) this.callsDb.close();
  }

  /** The call log's writer thread ends now (a drain past its deadline); the rest waits on the local disk only. */
  abort(): void {
    this.callWriter.abort();
  }
}
