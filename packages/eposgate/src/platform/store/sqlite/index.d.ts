import type { Store } from '../store.ts';
import { type Db, type Durability, type GroupCommitOptions, type Writer } from './db.ts';
import { SqliteEposEventStore, SqliteOutboxStore } from './events.ts';
import { SqliteFlowStore } from './flows.ts';
import { SqliteIntegrationStore } from './integrations.ts';
import { SqliteKeyStore } from './keys.ts';
export interface SqliteStoreOptions {
    /** `full` (default): acknowledged writes survive an OS crash (docs/durability.md). `normal`: the benchmark baseline only. */
    durability?: Durability;
    groupCommit?: GroupCommitOptions;
}
export declare class SqliteStore implements Store {
    readonly db: Db;
    readonly writer: Writer;
    readonly keys: SqliteKeyStore;
    readonly integrations: SqliteIntegrationStore;
    readonly flows: SqliteFlowStore;
    readonly outbox: SqliteOutboxStore;
    readonly eposEvents: SqliteEposEventStore;
    constructor(dataDir: string, opts?: SqliteStoreOptions);
    close(): Promise<void>;
}
