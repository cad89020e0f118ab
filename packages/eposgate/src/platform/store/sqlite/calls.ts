// SQLite sub-store of the call log (src/platform/calllog), in its own file (calls.db,
// synchronous = NORMAL): the log is not money, so a batch's commit does not fsync and never waits
// for (or holds up) the platform's group-commit writer. Reads use the platform's connection; writes
// go to a thread of their own (callWriter.ts) with its own connection. The flusher writes calls in
// batches, and calls.db keeps each tenant's share of a batch as one row (callBatch.ts); each
// tenant's calls are numbered (seq) so retention can keep its newest N without counting.
import type { Statement } from 'better-sqlite3';
import { callIdTime } from '../../calllog/ids.ts';
import { tenantKey, type Tenant } from '../../tenant.ts';
import type { CallPoint, CallQuery, CallRecord, CallStore, RawCall, StoredCall } from '../store.ts';
import { HEAD, callsOf, encodeBatch, latencyOf, newestFirst, storedCall, type CallAt } from './callBatch.ts';
import type { CallWriter, CallWriterSql } from './callWriter.ts';
import type { Db } from './db.ts';

/**
 * Most calls one batch row holds (the flusher's default batch): what a page reads to find one call
 * stays bounded whatever `limits.callLogBatch` or a caller of insertMany passes.
 */
const ROW_CALLS = 200;

/** A batch row as pages walk it. */
interface BatchHeads { rid: number; first_seq: number; last_at: number; heads: string }

export class SqliteCallStore implements CallStore {
  private readonly q;
  private readonly walks = new Map<string, Statement<unknown[]>>();
  private readonly readPage;

  /** `db`: calls.db for reads; `writer`: the thread that makes every write, each batch its own transaction. */
  constructor(private readonly db: Db, private readonly writer: CallWriter) {
    this.q = {
      // The batches whose time span holds `at`: the id carries its call's time (calllog/ids.ts).
      get: db.prepare(`SELECT rowid AS rid, first_seq, last_at, heads, bodies FROM call_batches INDEXED BY call_batches_last
        WHERE account_id = ? AND env = ? AND last_at >= ? AND first_at <= ?`),
      bodies: db.prepare('SELECT bodies FROM call_batches WHERE rowid = ?').pluck(),
      // max() of the index's next column after the tenant: one seek to the end of the tenant's range.
      lastAt: db.prepare('SELECT max(last_at) AS at FROM call_batches WHERE account_id = ? AND env = ?'),
      any: db.prepare('SELECT 1 FROM call_batches LIMIT 1').pluck(),
    };
    // A page's heads and its bodies from one snapshot: the writer thread may thin a batch between.
    this.readPage = db.transaction((tenant: Tenant, q: CallQuery) => {
      const picked = this.walk(tenant, q);
      const bodies = new Map<number, string>();
      return picked.map((c) => {
        let b = bodies.get(c.batch);
        if (b === undefined) bodies.set(c.batch, b = (this.q.bodies.get(c.batch) as string | undefined) ?? '');
        return storedCall(tenant, c, b);
      });
    });
  }

  insertMany(calls: readonly CallRecord[]): Promise<void> {
    return this.post(calls);
  }

  /**
   * The raw responses are redacted on the writer thread (callWriter.ts): on the event loop, the
   * secret-word scan of each answer cost B2's call ~0.7 µs (BENCHMARKS.md, twelfth pass).
   */
  insertRaw(calls: readonly RawCall[], bodyChars: number): Promise<void> {
    return this.post(calls, bodyChars);
  }

  /**
   * Encodes and posts the batch before it returns, and keeps no reference to `calls` or their
   * texts while the writer works: held that long, they outlive the young generation (B2). Without
   * `bodyChars` (insertMany) every response is taken as finished, whatever a call says.
   */
  private post(calls: readonly CallRecord[], bodyChars?: number): Promise<void> {
    if (!calls.length) return Promise.resolve();
    const batches = [];
    try {
      for (const group of byTenant(calls).values()) {
        for (let i = 0; i < group.length; i += ROW_CALLS) batches.push(encodeBatch(group.slice(i, i + ROW_CALLS), bodyChars !== undefined));
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writer.insert(batches, bodyChars ?? 0).then(() => undefined);
  }

  async get(tenant: Tenant, id: string): Promise<StoredCall | undefined> {
    const atMs = callIdTime(id);
    if (atMs === undefined) return undefined;
    for (const row of this.q.get.all(tenant.accountId, tenant.env, atMs, atMs) as (BatchHeads & { bodies: string })[]) {
      const c = callsOf(row).find((x) => x.head[HEAD.id] === id);
      if (c) return storedCall(tenant, c, row.bodies);
    }
    return undefined;
  }

  async list(tenant: Tenant, q: CallQuery): Promise<StoredCall[]> {
    return this.readPage.deferred(tenant, q);
  }

  async points(tenant: Tenant, q: { from: number; to: number; capability?: string; limit: number }): Promise<CallPoint[]> {
    return this.walk(tenant, q).map((c) => ({
      atMs: c.at, capability: c.head[HEAD.capability], status: c.head[HEAD.error] ? 'error' : 'ok', latencyMs: latencyOf(c.head),
    }));
  }

  async lastCallAt(tenants: readonly Tenant[]): Promise<Map<string, number>> {
    // One seek per tenant, in process: 200 of them cost less than building one statement for the page.
    const out = new Map<string, number>();
    for (const t of tenants) {
      const r = this.q.lastAt.get(t.accountId, t.env) as { at: number | null };
      if (r.at !== null) out.set(tenantKey(t), Number(r.at));
    }
    return out;
  }

  pruneOlder(before: number, limit: number): Promise<number> {
    return this.idle() ? Promise.resolve(0) : this.writer.pruneOlder(before, limit);
  }

  pruneBeyond(keep: number, limit: number): Promise<number> {
    return this.idle() ? Promise.resolve(0) : this.writer.pruneBeyond(keep, limit);
  }

  /**
   * No writer thread yet and no call in calls.db: retention has nothing to do, and does not start a
   * thread to find that out (a platform with the log off would otherwise run one for retention).
   */
  private idle(): boolean {
    return this.writer.thread === undefined && this.q.any.get() === undefined;
  }

  /**
   * The newest `q.limit` calls that `q` selects, newest first. Batches come newest last_at first, and
   * their time spans overlap only by how long calls took, so the walk stops at the first batch that
   * ends before the page's oldest call: no batch after it holds a newer one.
   */
  private walk(tenant: Tenant, q: CallQuery): CallAt[] {
    const keep = callFilter(q);
    let picked: CallAt[] = [];
    for (const row of this.batches(tenant, q)) {
      if (picked.length >= q.limit && row.last_at < picked[q.limit - 1]!.at) break;
      for (const c of callsOf(row)) if (keep(c)) picked.push(c);
      if (picked.length >= q.limit) picked = picked.sort(newestFirst).slice(0, q.limit);
    }
    return picked.sort(newestFirst);
  }

  /** The tenant's batches that may hold a call `q` selects, newest last_at first, judged on the index alone. */
  private batches(tenant: Tenant, q: CallQuery): IterableIterator<BatchHeads> {
    const where = ['account_id = ?', 'env = ?'];
    const values: unknown[] = [tenant.accountId, tenant.env];
    const add = (sql: string, ...v: unknown[]) => { where.push(sql); values.push(...v); };
    if (q.from !== undefined) add('last_at >= ?', q.from);
    if (q.to !== undefined) add('first_at <= ?', q.to);
    if (q.before) add('first_at <= ?', q.before.atMs);
    // A batch with no call of the status asked for is skipped unread.
    if (q.status === 'error') add('errors > 0');
    if (q.status === 'ok') add('errors < n');
    // One prepared statement per shape of filters: the conditions' text is its key.
    const key = where.join(' AND ');
    let stmt = this.walks.get(key);
    if (!stmt) {
      stmt = this.db.prepare(`SELECT rowid AS rid, first_seq, last_at, heads FROM call_batches INDEXED BY call_batches_last
        WHERE ${key} ORDER BY last_at DESC`);
      this.walks.set(key, stmt);
    }
    return stmt.iterate(...values) as IterableIterator<BatchHeads>;
  }
}

/** Whether a call is one `q` selects (the cursor's position excluded and after). */
function callFilter(q: Omit<CallQuery, 'limit'>): (c: CallAt) => boolean {
  const error = q.status === undefined ? undefined : q.status === 'error' ? 1 : 0;
  const b = q.before;
  return (c) => (q.capability === undefined || c.head[HEAD.capability] === q.capability)
    && (error === undefined || c.head[HEAD.error] === error)
    && (q.errorCode === undefined || c.head[HEAD.errorCode] === q.errorCode)
    && (q.from === undefined || c.at >= q.from)
    && (q.to === undefined || c.at <= q.to)
    && (b === undefined || c.at < b.atMs || (c.at === b.atMs && c.seq < b.seq));
}

/** The calls grouped by tenant, each group in the order given. */
export function byTenant(calls: readonly CallRecord[]): Map<string, CallRecord[]> {
  const groups = new Map<string, CallRecord[]>();
  for (const c of calls) {
    const k = `${c.tenant.env}:${c.tenant.accountId}`;
    let g = groups.get(k);
    if (!g) groups.set(k, g = []);
    g.push(c);
  }
  return groups;
}

/** The writes, run by the writer thread (callWriter.ts). */
export const CALL_WRITES: CallWriterSql = {
  bumpSeq: `INSERT INTO call_seqs (account_id, env, last) VALUES (?, ?, ?)
    ON CONFLICT (account_id, env) DO UPDATE SET last = last + excluded.last RETURNING last`,
  insert: `INSERT INTO call_batches (account_id, env, first_seq, last_seq, n, first_at, last_at, errors, heads, bodies)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  // CROSS JOIN keeps the tenants outside (SQLite's way to fix the order), so each is a range of its index.
  olderBatches: `SELECT b.rowid AS rid, b.n, b.last_at FROM call_seqs t
    CROSS JOIN call_batches b ON b.account_id = t.account_id AND b.env = t.env AND b.first_at < ? LIMIT ?`,
  beyondBatches: `SELECT b.rowid AS rid, b.n, b.last_seq, t.last - @keep AS upto FROM call_seqs t
    CROSS JOIN call_batches b ON b.account_id = t.account_id AND b.env = t.env AND b.first_seq <= t.last - @keep
    WHERE t.last > @keep LIMIT @limit`,
  batch: 'SELECT first_seq, heads, bodies FROM call_batches WHERE rowid = ?',
  deleteBatch: 'DELETE FROM call_batches WHERE rowid = ?',
  updateBatch: `UPDATE call_batches SET first_seq = ?, last_seq = ?, n = ?, first_at = ?, last_at = ?, errors = ?, heads = ?, bodies = ?
    WHERE rowid = ?`,
};
