// The call log's writes to calls.db on a thread of their own. The B2 profile put the log's SQLite
// inserts and commits at ~7 µs of the event loop per call (BENCHMARKS.md, "Call log on its own
// thread"); here they cost the loop one postMessage per batch. The platform's connection keeps
// every read (WAL: readers see each committed batch); this thread's connection makes every write.
//
// The thread runs `writerThread` below as an eval'd script with no loader hooks (a worker does not
// inherit tsx's in source mode, and none is needed): it must use nothing from outside its body but
// `require` and what `workerData` carries: the SQL, which stays written in calls.ts, and where a
// batch's heads keep each field (callBatch.ts's HEAD).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { backoffDelay } from '@eposgate/contract';
import { secretRedaction, type SecretRedaction } from '../../redaction.ts';
import { HEAD, type EncodedBatch } from './callBatch.ts';
import { storeError } from './db.ts';

/** The statements the thread runs, as calls.ts writes them. */
export interface CallWriterSql {
  /** (account_id, env, n) → the tenant's last seq after handing out n. */
  bumpSeq: string;
  /** One batch row's values: account_id, env, first_seq, last_seq, n, first_at, last_at, errors, heads, bodies. */
  insert: string;
  /** (before, limit) → rid, n, last_at of batches holding a call made before `before`. */
  olderBatches: string;
  /** (@keep, @limit) → rid, n, last_seq, upto of batches holding a call beyond its tenant's newest `keep`. */
  beyondBatches: string;
  /** (rid) → first_seq, heads, bodies. */
  batch: string;
  /** (rid). */
  deleteBatch: string;
  /** (first_seq, last_seq, n, first_at, last_at, errors, heads, bodies, rid). */
  updateBatch: string;
}

type Op =
  | { op: 'insert'; batches: EncodedBatch[]; bodyChars: number }
  | { op: 'pruneOlder'; before: number; limit: number }
  | { op: 'pruneBeyond'; keep: number; limit: number };

interface Reply { id: number; value?: number; error?: { message: string; code?: string }; priority?: WriterPriority; tid?: number }

/**
 * How the thread yields the CPU to the call path: `idle`, Linux's SCHED_IDLE (it runs on a core
 * that nothing else wants), else `nice` 19 where SCHED_IDLE cannot be set; `normal` as any thread.
 * Under B2 on two cores, a thread at normal priority took its core from the event loop: throughput
 * with the log on was 0.885 of the log off, 0.933 with SCHED_IDLE (BENCHMARKS.md, fourteenth pass).
 * A machine with no idle core at all leaves the thread ~0.3% of a core (SCHED_IDLE's weight); the
 * queue then fills and calls go unrecorded, counted (eposgate_call_log_dropped_total), never slowed.
 * The thread yields only once it writes YIELD_CALLS_PER_SECOND: below that its CPU is too little to
 * matter, and a drain on a busy machine (a test suite's) would wait for a starved thread. The
 * switch is for the thread's life: an unprivileged thread cannot raise its priority again.
 */
export type WriterPriority = 'idle' | 'nice' | 'normal';

export interface CallWriterOptions {
  /** `idle` (default): SCHED_IDLE, or nice 19 where that cannot be set; `normal`: no change. */
  priority?: 'idle' | 'normal';
}

/** Calls written within one second that make the thread yield (WriterPriority). B2 writes ~28,000. */
const YIELD_CALLS_PER_SECOND = 1_000;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * A thread that died is replaced by the next write at once; one that dies again before any write
 * succeeded (calls.db cannot be opened, say) waits about this long, doubling to RESTART_MAX_MS, and the
 * writes meanwhile fail at once: a broken file costs a thread start per backoff, not per batch.
 */
const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 30_000;

export class CallWriter {
  private worker?: Worker;
  /** Writes sent and not answered, each with the thread it went to (a dying thread fails its own only). */
  private readonly waiting = new Map<number, { w: Worker; resolve(v: number): void; reject(e: unknown): void }>();
  private readonly inflight = new Set<Promise<unknown>>();
  private next = 0;
  private closed = false;
  /** Threads started so far (diagnostics, tests). */
  threadsStarted = 0;
  /** The priority the running thread got (WriterPriority), and its OS thread id (Linux), once it has said. */
  priority?: WriterPriority;
  tid?: number;
  /** Deaths since the last write that succeeded, the last one's error, and when a new thread may start. */
  private deaths = 0;
  private lastDeath?: unknown;
  private restartAt = 0;

  constructor(private readonly file: string, private readonly sql: CallWriterSql, private readonly opts: CallWriterOptions = {}) {}

  /**
   * Writes the batches (one per tenant) in one transaction, once the thread has redacted their raw
   * responses (EncodedBatch.raw) as redactedJsonText(text, bodyChars) would; answers the calls written.
   */
  insert(batches: EncodedBatch[], bodyChars: number): Promise<number> {
    return this.send({ op: 'insert', batches, bodyChars });
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
    if (!this.worker && Date.now() < this.restartAt) {
      const why = this.lastDeath instanceof Error ? this.lastDeath.message : String(this.lastDeath);
      return Promise.reject(new Error(`the call log writer thread died ${this.deaths} times in a row (last: ${why}); next try in ${this.restartAt - Date.now()} ms`));
    }
    const id = ++this.next;
    const w = this.started();
    const done = new Promise<number>((resolve, reject) => this.waiting.set(id, { w, resolve, reject }));
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
    // The thread's program, and the redaction rules it is called with, by their source (see the file's comment).
    const w = new Worker(`var __name = (f) => f; (${writerThread.toString()})((${secretRedaction.toString()})())`, {
      eval: true, execArgv: [], workerData: { file: this.file, driver, sql: this.sql, head: HEAD, priority: this.opts.priority ?? 'idle', yieldAt: YIELD_CALLS_PER_SECOND },
    });
    w.on('message', (m: Reply) => {
      if (m.id === 0) { // the thread's word on its priority: as it starts, and when it yields
        this.priority = m.priority;
        this.tid = m.tid;
        return;
      }
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      this.deaths = 0; // the thread runs: the next death is replaced at once again
      if (!m.error) waiter?.resolve(m.value ?? 0);
      else waiter?.reject(storeError(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {})));
    });
    // A thread that dies fails what it held; a later write starts a new one (RESTART_MIN_MS).
    let dead = false;
    const fail = (err: unknown) => {
      if (this.worker === w) this.worker = undefined;
      if (!dead && !this.closed) {
        dead = true;
        this.lastDeath = err;
        this.deaths++;
        this.restartAt = this.deaths < 2 ? 0 : Date.now() + backoffDelay(this.deaths - 2, { minMs: RESTART_MIN_MS, maxMs: RESTART_MAX_MS });
      }
      for (const [id, waiter] of this.waiting) {
        if (waiter.w !== w) continue;
        this.waiting.delete(id);
        waiter.reject(err);
      }
    };
    // What the thread threw arrives as an Error, or (SQLite's, cloned across) a bare { code }.
    w.on('error', (e: unknown) => {
      const { message, code } = (e ?? {}) as { message?: unknown; code?: unknown };
      fail(Object.assign(new Error(`the call log writer thread failed: ${String(message ?? code ?? e)}`), typeof code === 'string' ? { code } : {}));
    });
    w.on('exit', (code) => fail(new Error(`the call log writer thread ended (exit code ${code})`)));
    this.worker = w;
    this.threadsStarted++;
    return w;
  }
}

/** The thread's whole program (see the file's comment): one connection, one write at a time. */
function writerThread(redaction: SecretRedaction): void {
  /**
   * This thread (not the process) to SCHED_IDLE, else nice 19 (WriterPriority). Node has no call
   * for a scheduling policy; util-linux's `chrt` sets it on a thread id, unprivileged (lowering is
   * allowed), in a few ms of this thread's start. Without a thread id (not Linux) nothing is
   * changed: setPriority(0) would lower the whole process.
   */
  const yieldCpu = (tid: number): WriterPriority => {
    const chrt = require('node:child_process').spawnSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 });
    if (chrt.status === 0) return 'idle';
    try {
      require('node:os').setPriority(tid, 19);
      return 'nice';
    } catch {
      return 'normal';
    }
  };
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { file, driver: path, sql, head: L, priority, yieldAt } = workerData as {
    file: string; driver: string; sql: CallWriterSql; head: typeof HEAD; priority: 'idle' | 'normal'; yieldAt: number;
  };
  // Named for `top -H` and bench/threads.ts (Linux only; 15 characters at most).
  try { require('node:fs').writeFileSync('/proc/thread-self/comm', 'eposgate-calls'); } catch { /* not Linux */ }
  let tid: number | undefined;
  try {
    tid = Number(String(require('node:fs').readlinkSync('/proc/thread-self')).split('/').pop());
  } catch { /* not Linux */ }
  parentPort!.postMessage({ id: 0, priority: 'normal', tid });
  // Calls written in the current second, until the thread yields (or never will).
  let busy = priority === 'idle' && tid !== undefined ? { since: Date.now(), calls: 0 } : undefined;
  const written = (n: number) => {
    const now = Date.now();
    if (now - busy!.since >= 1000) busy = { since: now, calls: 0 };
    busy!.calls += n;
    if (busy!.calls < yieldAt) return;
    busy = undefined;
    parentPort!.postMessage({ id: 0, priority: yieldCpu(tid!), tid });
  };
  const Database = require(path) as typeof import('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  type Head = (string | number | null)[];
  // Prepared on first use: a statement that cannot be prepared (a table gone) fails its write only.
  const stmts = new Map<string, import('better-sqlite3').Statement>();
  const stmt = (k: keyof CallWriterSql) => {
    let s = stmts.get(k);
    if (!s) stmts.set(k, s = db.prepare(sql[k]));
    return s;
  };
  /**
   * A posted batch's bodies as one text, each raw response that may hold a secret redacted first
   * (the rest hold no secret-like word, and the recorder sent none longer than the cap). A
   * redacted response's head gets its new length, and is marked truncated if the cap cut it.
   */
  const bodiesOf = (b: EncodedBatch, max: number): string => {
    let heads: Head[] | undefined;
    for (const i of b.raw) {
      const text = b.parts[i * 3 + 2]!;
      if (!redaction.mayHoldSecret(text)) continue;
      let out: string;
      try {
        out = redaction.redactedJson(JSON.parse(text), max, text);
      } catch {
        out = JSON.stringify(redaction.REDACTED); // not JSON after all: kept as nothing but the mark
      }
      if (out === text) continue;
      b.parts[i * 3 + 2] = out;
      heads ??= JSON.parse(b.heads) as Head[];
      heads[i]![L.response] = out.length;
      if (out.endsWith('…')) heads[i]![L.truncated] = 1;
    }
    if (heads) b.heads = JSON.stringify(heads);
    // Each lone surrogate (a body cut inside a pair) as U+FFFD. SQLite's UTF-8 would give it back
    // as three U+FFFD, and every call after it in the row would be sliced at the wrong place;
    // U+FFFD is one code unit like the surrogate, so the lengths in the heads still hold.
    const text = b.parts.join('') as string & { isWellFormed(): boolean; toWellFormed(): string }; // ES2024, in Node 20
    return text.isWellFormed() ? text : text.toWellFormed();
  };
  const insert = db.transaction((batches: EncodedBatch[], bodies: string[]) => {
    let n = 0;
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!;
      const { last } = stmt('bumpSeq').get(b.accountId, b.env, b.n) as { last: number };
      stmt('insert').run(b.accountId, b.env, last - b.n + 1, last, b.n, b.firstAt, b.lastAt, b.errors, b.heads, bodies[i]);
      n += b.n;
    }
    return n;
  });
  /**
   * Retention inside a batch: drops up to `budget` of its calls that `drop` picks, and writes back
   * the rest (each head then carries its seq) or deletes the row when none is left.
   */
  const thin = (rid: number, drop: (at: number, seq: number) => boolean, budget: number): number => {
    const row = stmt('batch').get(rid) as { first_seq: number; heads: string; bodies: string } | undefined;
    if (!row) return 0;
    const heads = JSON.parse(row.heads) as Head[];
    const kept: Head[] = [];
    const parts: string[] = [];
    let removed = 0; let offset = 0;
    let firstSeq = Infinity; let lastSeq = -Infinity; let firstAt = Infinity; let lastAt = -Infinity; let errors = 0;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      const seq = (h[L.seq] as number | undefined) ?? row.first_seq + i;
      const at = h[L.at] as number;
      // Carried-over calls hold their bodies in the head (callBatch.ts): nothing of `bodies`.
      const len = typeof h[L.request] === 'number' ? (h[L.requestor] as number) + (h[L.request] as number) + (h[L.response] as number) : 0;
      if (removed < budget && drop(at, seq)) {
        removed++;
      } else {
        h[L.seq] = seq;
        kept.push(h);
        if (len) parts.push(row.bodies.slice(offset, offset + len));
        firstSeq = Math.min(firstSeq, seq); lastSeq = Math.max(lastSeq, seq);
        firstAt = Math.min(firstAt, at); lastAt = Math.max(lastAt, at);
        errors += h[L.error] ? 1 : 0;
      }
      offset += len;
    }
    if (!kept.length) stmt('deleteBatch').run(rid);
    else if (removed) stmt('updateBatch').run(firstSeq, lastSeq, kept.length, firstAt, lastAt, errors, JSON.stringify(kept), parts.join(''), rid);
    return removed;
  };
  type Due = { rid: number; n: number; whole: boolean; drop: (at: number, seq: number) => boolean };
  /**
   * A batch wholly due goes with one delete, even where that passes `limit` (by less than a batch):
   * thinning it to the limit's count rewrote a batch row in about every second chunk of a capped
   * tenant's pruning, for nothing (BENCHMARKS.md, eleventh pass). A batch only partly due is thinned,
   * to the limit.
   */
  const prune = (batches: Due[], limit: number): number => {
    let removed = 0;
    for (const b of batches) {
      if (removed >= limit) break;
      if (b.whole) {
        stmt('deleteBatch').run(b.rid);
        removed += b.n;
      } else {
        removed += thin(b.rid, b.drop, limit - removed);
      }
    }
    return removed;
  };
  const pruneOlder = db.transaction((before: number, limit: number) => {
    const rows = stmt('olderBatches').all(before, limit) as { rid: number; n: number; last_at: number }[];
    return prune(rows.map((b) => ({ rid: b.rid, n: b.n, whole: b.last_at < before, drop: (at) => at < before })), limit);
  });
  const pruneBeyond = db.transaction((keep: number, limit: number) => {
    // Each batch against its own tenant's bound.
    const rows = stmt('beyondBatches').all({ keep, limit }) as { rid: number; n: number; last_seq: number; upto: number }[];
    return prune(rows.map((b) => ({ rid: b.rid, n: b.n, whole: b.last_seq <= b.upto, drop: (_at, seq) => seq <= b.upto })), limit);
  });
  parentPort!.on('message', (m: { id: number } & Op) => {
    try {
      // The bodies are made before the transaction begins: the write lock is held for the writes alone.
      const value = m.op === 'insert' ? insert.immediate(m.batches, m.batches.map((b) => bodiesOf(b, m.bodyChars)))
        : m.op === 'pruneOlder' ? pruneOlder.immediate(m.before, m.limit)
          : pruneBeyond.immediate(m.keep, m.limit);
      parentPort!.postMessage({ id: m.id, value });
      if (busy && m.op === 'insert') written(value);
    } catch (err) {
      const e = err as { message?: string; code?: unknown };
      parentPort!.postMessage({ id: m.id, error: { message: String(e?.message ?? err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) } });
    }
  });
}
