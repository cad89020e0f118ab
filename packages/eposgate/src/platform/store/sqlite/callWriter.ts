// The call log's writes to calls.db on a thread of their own. The B2 profile put the log's SQLite
// inserts and commits at ~7 µs of the event loop per call (BENCHMARKS.md, "Call log on its own
// thread"); here they cost the loop one postMessage per batch. The platform's connection keeps
// every read (WAL: readers see each committed batch); this thread's connection makes every write.
//
// The thread runs `writerThread` below as an eval'd script with no loader hooks (a worker does not
// inherit tsx's in source mode, and none is needed): it must use nothing from outside its body but
// `require` and what `workerData` carries, the SQL included, which stays written in calls.ts.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { storeError } from './db.ts';

/** The statements the thread runs, as calls.ts writes them. */
export interface CallWriterSql {
  /** (account_id, env, n) → the tenant's last seq after handing out n. */
  bumpSeq: string;
  /** One row's values, CALL_COLUMNS in order. */
  insert: string;
  pruneOlder: string;
  pruneBeyond: string;
}

/** One tenant's rows of a batch; each row's seq (index `seqAt`) is filled in by the thread. */
export interface TenantRows { accountId: string; env: string; rows: unknown[][] }

type Op =
  | { op: 'insert'; groups: TenantRows[]; seqAt: number }
  | { op: 'pruneOlder'; before: number; limit: number }
  | { op: 'pruneBeyond'; keep: number; limit: number };

interface Reply { id: number; value?: number; error?: { message: string; code?: string } }

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export class CallWriter {
  private worker?: Worker;
  private readonly waiting = new Map<number, { resolve(v: number): void; reject(e: unknown): void }>();
  private readonly inflight = new Set<Promise<unknown>>();
  private next = 0;
  private closed = false;

  constructor(private readonly file: string, private readonly sql: CallWriterSql) {}

  insert(groups: TenantRows[], seqAt: number): Promise<number> {
    return this.send({ op: 'insert', groups, seqAt });
  }

  pruneOlder(before: number, limit: number): Promise<number> {
    return this.send({ op: 'pruneOlder', before, limit });
  }

  pruneBeyond(keep: number, limit: number): Promise<number> {
    return this.send({ op: 'pruneBeyond', keep, limit });
  }

  /** Lets the writes already sent finish, then ends the thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.inflight);
    await this.worker?.terminate();
    this.worker = undefined;
  }

  /** The running thread, if one is (for diagnostics and tests). */
  get thread(): Worker | undefined {
    return this.worker;
  }

  /** Ends the thread now; writes not yet committed fail (the drain's deadline passed). */
  abort(): void {
    this.closed = true;
    void this.worker?.terminate();
  }

  private send(op: Op): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the call log writer is closed'));
    const id = ++this.next;
    const done = new Promise<number>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    const w = this.started();
    // Held while a write is in flight (a process whose last work is awaiting it must not exit
    // first), let go when idle (an idle thread keeps no process alive).
    const settled = done.then(() => undefined, () => undefined).finally(() => {
      this.inflight.delete(settled);
      if (!this.inflight.size) this.worker?.unref();
    });
    if (!this.inflight.size) w.ref();
    this.inflight.add(settled);
    w.postMessage({ id, ...op });
    return done;
  }

  /** The thread, started on the first write: a platform that logs nothing never starts one. */
  private started(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(`var __name = (f) => f; (${writerThread.toString()})()`, {
      eval: true, execArgv: [], workerData: { file: this.file, driver, sql: this.sql },
    });
    w.on('message', (m: Reply) => {
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (!m.error) waiter?.resolve(m.value ?? 0);
      else waiter?.reject(storeError(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {})));
    });
    // A thread that dies fails what it held; the next write starts a new one.
    const fail = (err: unknown) => {
      if (this.worker === w) this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the call log writer thread ended (exit code ${code})`)));
    this.worker = w;
    return w;
  }
}

/** The thread's whole program (see the file's comment): one connection, one write at a time. */
function writerThread(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { file, driver: path, sql } = workerData as { file: string; driver: string; sql: CallWriterSql };
  const Database = require(path) as typeof import('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Prepared on first use: a statement that cannot be prepared (a table gone) fails its write only.
  const stmts = new Map<string, import('better-sqlite3').Statement>();
  const stmt = (k: keyof CallWriterSql) => {
    let s = stmts.get(k);
    if (!s) stmts.set(k, s = db.prepare(sql[k]));
    return s;
  };
  const insert = db.transaction((groups: TenantRows[], seqAt: number) => {
    let n = 0;
    for (const g of groups) {
      const { last } = stmt('bumpSeq').get(g.accountId, g.env, g.rows.length) as { last: number };
      let seq = last - g.rows.length;
      for (const row of g.rows) {
        row[seqAt] = ++seq;
        stmt('insert').run(row);
        n++;
      }
    }
    return n;
  });
  parentPort!.on('message', (m: { id: number } & Op) => {
    try {
      const value = m.op === 'insert' ? insert.immediate(m.groups, m.seqAt)
        : m.op === 'pruneOlder' ? stmt('pruneOlder').run(m.before, m.limit).changes
          : stmt('pruneBeyond').run({ keep: m.keep, limit: m.limit }).changes;
      parentPort!.postMessage({ id: m.id, value });
    } catch (err) {
      const e = err as { message?: string; code?: unknown };
      parentPort!.postMessage({ id: m.id, error: { message: String(e?.message ?? err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) } });
    }
  });
}
