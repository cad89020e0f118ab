import Database from 'better-sqlite3';
import type { Migration } from './migrations.ts';
export type Db = Database.Database;
/**
 * `full`: every acknowledged write is on disk (synchronous = FULL, group commit): survives an OS
 * crash or power loss. `normal`: synchronous = NORMAL, each write its own transaction: survives a
 * process crash only; kept as the benchmark's baseline (B10), not for production.
 */
export type Durability = 'full' | 'normal';
/**
 * The one way a sub-store writes: the promise settles once the write is committed, and a caller
 * answers only after that. Reads go straight to the connection.
 */
export interface Writer {
    write<T>(fn: () => T): Promise<T>;
    /** Resolves once no write is waiting for its commit (at once when none is). */
    settled(): Promise<void>;
    /**
     * Runs a read when no batch is open (at once when none is), so it sees only committed rows: for
     * reads whose answer claims a write was done. Unlike `await settled(); read()`, no batch can
     * open in between.
     */
    read<T>(fn: () => T): Promise<T>;
    /** Commits the open batch now (before the connection closes). */
    flush(): void;
}
/** Each write commits on its own, at once. */
export declare function directWriter(): Writer;
export interface GroupCommitOptions {
    /** A batch commits at once when it holds this many writes (default 512). */
    maxWrites?: number;
}
/**
 * Group commit: the first write of a batch opens `BEGIN IMMEDIATE`; each write runs at once in its
 * own SAVEPOINT inside it (a closure that throws undoes and fails only itself); the batch commits on
 * the next turn of the event loop (or at once at `maxWrites`), so every request that
 * arrived meanwhile shares one COMMIT and one fsync. Each write's promise settles after that COMMIT;
 * a failed COMMIT rolls back and fails every write of the batch. While the event loop is blocked in
 * one fsync, the next requests queue up in the kernel: the busier the platform, the larger the batch.
 */
export declare function groupCommitWriter(db: Db, opts?: GroupCommitOptions): Writer;
/**
 * SQLite's "cannot write" failures become 503 STORE_UNAVAILABLE with the reason; the rest (a
 * constraint, a bug) pass through unchanged.
 */
export declare function storeError(err: unknown): unknown;
/** Why a store error code means "nothing was written, try later"; undefined for other codes. */
export declare function storeFailure(code: string): string | undefined;
export declare function openDb(file: string, migrations: readonly Migration[], durability?: Durability): Db;
/** The data directory, created (or narrowed to) 0700: it holds API key hashes and the secret key. */
export declare function dataFile(dataDir: string, name: string): string;
