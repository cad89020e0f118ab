// Opens the embedded database: one file under the data directory, WAL, migrations applied; and the
// Writer every sub-store writes through (group commit: writes that arrive together share one fsync).
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { PlatformError } from '../../errors.ts';
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

const SETTLED = Promise.resolve();

/** Each write commits on its own, at once. */
export function directWriter(): Writer {
  return {
    write: async (fn) => {
      try {
        return fn();
      } catch (err) {
        throw storeError(err);
      }
    },
    settled: () => SETTLED,
    read: async (fn) => fn(),
    flush: () => {},
  };
}

export interface GroupCommitOptions {
  /** A batch commits at once when it holds this many writes (default 512). */
  maxWrites?: number;
}

interface Waiter { resolve(v: unknown): void; reject(e: unknown): void; value: unknown }
interface Batch { waiters: Waiter[]; done: Promise<void>; finish(): void }

/**
 * Group commit: the first write of a batch opens `BEGIN IMMEDIATE`; each write runs at once in its
 * own SAVEPOINT inside it (a closure that throws undoes and fails only itself); the batch commits on
 * the next turn of the event loop (or at once at `maxWrites`), so every request that
 * arrived meanwhile shares one COMMIT and one fsync. Each write's promise settles after that COMMIT;
 * a failed COMMIT rolls back and fails every write of the batch. While the event loop is blocked in
 * one fsync, the next requests queue up in the kernel: the busier the platform, the larger the batch.
 */
export function groupCommitWriter(db: Db, opts: GroupCommitOptions = {}): Writer {
  const maxWrites = opts.maxWrites ?? 512;
  const s = {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT eposgate_write'),
    release: db.prepare('RELEASE eposgate_write'),
    rollbackTo: db.prepare('ROLLBACK TO eposgate_write'),
  };
  let batch: Batch | undefined;

  function open(): Batch {
    s.begin.run();
    let finish!: () => void;
    const done = new Promise<void>((r) => { finish = r; });
    const b: Batch = { waiters: [], done, finish };
    batch = b;
    // After the I/O callbacks of this turn: every request that already arrived joins the batch.
    setImmediate(() => commit(b));
    return b;
  }

  /** Ends the batch with `err`: whatever SQLite left open is rolled back, every waiter fails. */
  function fail(b: Batch, err: unknown): void {
    if (batch === b) batch = undefined;
    if (db.inTransaction) {
      try { s.rollback.run(); } catch { /* SQLite may have rolled back on its own already */ }
    }
    const e = storeError(err);
    for (const w of b.waiters) w.reject(e);
    b.finish();
  }

  function commit(b: Batch): void {
    if (batch !== b) return; // committed early (maxWrites) or failed
    batch = undefined;
    try {
      s.commit.run();
    } catch (err) {
      fail(b, err);
      return;
    }
    for (const w of b.waiters) w.resolve(w.value);
    b.finish();
  }

  return {
    write<T>(fn: () => T): Promise<T> {
      // A caller that opened its own transaction (a bulk load) commits it: the write joins it.
      if (!batch && db.inTransaction) {
        try {
          return Promise.resolve(fn());
        } catch (err) {
          return Promise.reject(storeError(err));
        }
      }
      let b: Batch;
      try {
        b = batch ?? open();
      } catch (err) {
        return Promise.reject(storeError(err));
      }
      let value: T;
      try {
        s.savepoint.run();
        value = fn();
        s.release.run();
      } catch (err) {
        if (!db.inTransaction) {
          // SQLite rolled the whole transaction back (disk full, I/O error): the batch is gone.
          fail(b, err);
          return Promise.reject(storeError(err));
        }
        try {
          s.rollbackTo.run();
          s.release.run();
        } catch (undo) {
          fail(b, undo);
        }
        return Promise.reject(storeError(err));
      }
      const p = new Promise<T>((resolve, reject) => {
        b.waiters.push({ resolve: resolve as (v: unknown) => void, reject, value });
      });
      if (b.waiters.length >= maxWrites) commit(b);
      return p;
    },
    settled: () => batch?.done ?? SETTLED,
    async read<T>(fn: () => T): Promise<T> {
      while (batch) await batch.done;
      return fn();
    },
    flush: () => { if (batch) commit(batch); },
  };
}

/**
 * SQLite's "cannot write" failures become 503 STORE_UNAVAILABLE with the reason; the rest (a
 * constraint, a bug) pass through unchanged.
 */
export function storeError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return err;
  const reason = storeFailure(code);
  return reason ? new PlatformError('STORE_UNAVAILABLE', reason, { extra: { cause: code } }) : err;
}

/** Why a store error code means "nothing was written, try later"; undefined for other codes. */
export function storeFailure(code: string): string | undefined {
  if (code === 'SQLITE_FULL') return "The platform's disk is full; nothing was written. Try again later";
  if (code.startsWith('SQLITE_IOERR')) return `The platform's store could not write to disk (${code}); nothing was written. Try again later`;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return "The platform's store is locked by another process; nothing was written. Try again later";
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_')) return `The platform's store is read-only (${code}); nothing was written`;
  return undefined;
}

/** `pageSize`: bytes per page of a new file (SQLite's default 4096; it cannot change once WAL is on). */
export function openDb(file: string, migrations: readonly Migration[], durability: Durability = 'full', opts: { pageSize?: number } = {}): Db {
  // Created private before SQLite opens it: SQLite gives -wal and -shm the main file's mode.
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  if (opts.pageSize) db.pragma(`page_size = ${opts.pageSize}`); // a no-op on a file that has pages
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every COMMIT, so an acknowledged write survives power loss.
  db.pragma(durability === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT name FROM migrations').all() as { name: string }[]).map((r) => r.name));
  const mark = db.prepare('INSERT INTO migrations (name, applied_at) VALUES (?, ?)');
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      mark.run(m.name, new Date().toISOString());
    })();
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) makePrivate(f, 0o600);
  return db;
}

/** The data directory, created (or narrowed to) 0700: it holds API key hashes and the secret key. */
export function dataFile(dataDir: string, name: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  makePrivate(dataDir, 0o700);
  makePrivate(join(dataDir, 'secret.key'), 0o600);
  return join(dataDir, name);
}

/** chmod when the file exists and is ours; a directory we may not chmod (not the owner) is left as it is. */
function makePrivate(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM') throw err;
  }
}
