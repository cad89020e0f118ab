// Opens the embedded database: one file under the data directory, WAL, migrations applied; and the
// Writer every sub-store writes through (group commit: writes that arrive together share one fsync).
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { PlatformError } from "../../errors.js";
const SETTLED = Promise.resolve();
/** Each write commits on its own, at once. */
export function directWriter() {
    return {
        write: async (fn) => {
            try {
                return fn();
            }
            catch (err) {
                throw storeError(err);
            }
        },
        settled: () => SETTLED,
        read: async (fn) => fn(),
        flush: () => { },
    };
}
/**
 * Group commit: the first write of a batch opens `BEGIN IMMEDIATE`; each write runs at once in its
 * own SAVEPOINT inside it (a closure that throws undoes and fails only itself); the batch commits on
 * the next turn of the event loop (or at once at `maxWrites`), so every request that
 * arrived meanwhile shares one COMMIT and one fsync. Each write's promise settles after that COMMIT;
 * a failed COMMIT rolls back and fails every write of the batch. While the event loop is blocked in
 * one fsync, the next requests queue up in the kernel: the busier the platform, the larger the batch.
 */
export function groupCommitWriter(db, opts = {}) {
    const maxWrites = opts.maxWrites ?? 512;
    const s = {
        begin: db.prepare('BEGIN IMMEDIATE'),
        commit: db.prepare('COMMIT'),
        rollback: db.prepare('ROLLBACK'),
        savepoint: db.prepare('SAVEPOINT eposgate_write'),
        release: db.prepare('RELEASE eposgate_write'),
        rollbackTo: db.prepare('ROLLBACK TO eposgate_write'),
    };
    let batch;
    function open() {
        s.begin.run();
        let finish;
        const done = new Promise((r) => { finish = r; });
        const b = { waiters: [], done, finish };
        batch = b;
        // After the I/O callbacks of this turn: every request that already arrived joins the batch.
        setImmediate(() => commit(b));
        return b;
    }
    /** Ends the batch with `err`: whatever SQLite left open is rolled back, every waiter fails. */
    function fail(b, err) {
        if (batch === b)
            batch = undefined;
        if (db.inTransaction) {
            try {
                s.rollback.run();
            }
            catch { /* SQLite may have rolled back on its own already */ }
        }
        const e = storeError(err);
        for (const w of b.waiters)
            w.reject(e);
        b.finish();
    }
    function commit(b) {
        if (batch !== b)
            return; // committed early (maxWrites) or failed
        batch = undefined;
        try {
            s.commit.run();
        }
        catch (err) {
            fail(b, err);
            return;
        }
        for (const w of b.waiters)
            w.resolve(w.value);
        b.finish();
    }
    return {
        write(fn) {
            // A caller that opened its own transaction (a bulk load) commits it: the write joins it.
            if (!batch && db.inTransaction) {
                try {
                    return Promise.resolve(fn());
                }
                catch (err) {
                    return Promise.reject(storeError(err));
                }
            }
            let b;
            try {
                b = batch ?? open();
            }
            catch (err) {
                return Promise.reject(storeError(err));
            }
            let value;
            try {
                s.savepoint.run();
                value = fn();
                s.release.run();
            }
            catch (err) {
                if (!db.inTransaction) {
                    // SQLite rolled the whole transaction back (disk full, I/O error): the batch is gone.
                    fail(b, err);
                    return Promise.reject(storeError(err));
                }
                try {
                    s.rollbackTo.run();
                    s.release.run();
                }
                catch (undo) {
                    fail(b, undo);
                }
                return Promise.reject(storeError(err));
            }
            const p = new Promise((resolve, reject) => {
                b.waiters.push({ resolve: resolve, reject, value });
            });
            if (b.waiters.length >= maxWrites)
                commit(b);
            return p;
        },
        settled: () => batch?.done ?? SETTLED,
        async read(fn) {
            while (batch)
                await batch.done;
            return fn();
        },
        flush: () => { if (batch)
            commit(batch); },
    };
}
/**
 * SQLite's "cannot write" failures become 503 STORE_UNAVAILABLE with the reason; the rest (a
 * constraint, a bug) pass through unchanged.
 */
export function storeError(err) {
    const code = err?.code;
    if (typeof code !== 'string')
        return err;
    const reason = storeFailure(code);
    return reason ? new PlatformError('STORE_UNAVAILABLE', reason, { extra: { cause: code } }) : err;
}
/** Why a store error code means "nothing was written, try later"; undefined for other codes. */
export function storeFailure(code) {
    if (code === 'SQLITE_FULL')
        return "The platform's disk is full; nothing was written. Try again later";
    if (code.startsWith('SQLITE_IOERR'))
        return `The platform's store could not write to disk (${code}); nothing was written. Try again later`;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
        return "The platform's store is locked by another process; nothing was written. Try again later";
    if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_'))
        return `The platform's store is read-only (${code}); nothing was written`;
    return undefined;
}
export function openDb(file, migrations, durability = 'full') {
    // Created private before SQLite opens it: SQLite gives -wal and -shm the main file's mode.
    if (!existsSync(file))
        closeSync(openSync(file, 'a', 0o600));
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every COMMIT, so an acknowledged write survives power loss.
    db.pragma(durability === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.exec('CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set(db.prepare('SELECT name FROM migrations').all().map((r) => r.name));
    const mark = db.prepare('INSERT INTO migrations (name, applied_at) VALUES (?, ?)');
    for (const m of migrations) {
        if (done.has(m.name))
            continue;
        db.transaction(() => {
            db.exec(m.sql);
            mark.run(m.name, new Date().toISOString());
        })();
    }
    for (const f of [file, `${file}-wal`, `${file}-shm`])
        makePrivate(f, 0o600);
    return db;
}
/** The data directory, created (or narrowed to) 0700: it holds API key hashes and the secret key. */
export function dataFile(dataDir, name) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    makePrivate(dataDir, 0o700);
    makePrivate(join(dataDir, 'secret.key'), 0o600);
    return join(dataDir, name);
}
/** chmod when the file exists and is ours; a directory we may not chmod (not the owner) is left as it is. */
function makePrivate(path, mode) {
    try {
        chmodSync(path, mode);
    }
    catch (err) {
        const code = err.code;
        if (code !== 'ENOENT' && code !== 'EPERM')
            throw err;
    }
}
