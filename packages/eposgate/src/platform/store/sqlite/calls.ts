// SQLite sub-store of the call log (src/platform/calllog), in its own file (calls.db,
// synchronous = NORMAL): the log is not money, so a batch's commit does not fsync and never waits
// for (or holds up) the platform's group-commit writer. Reads use the platform's connection; writes
// go to a thread of their own (callWriter.ts) with its own connection. The flusher writes calls in
// batches; each tenant's rows are numbered (seq) so retention can keep its newest N without counting.
import type { Statement } from 'better-sqlite3';
import { callIdTime } from '../../calllog/ids.ts';
import { tenantKey, type Tenant } from '../../tenant.ts';
import type { CallPoint, CallQuery, CallRecord, CallStore, StoredCall } from '../store.ts';
import type { CallWriter, CallWriterSql, TenantRows } from './callWriter.ts';
import type { Db } from './db.ts';

export interface CallRow {
  account_id: string; env: Tenant['env']; seq: number; id: string; at_ms: number; capability: string;
  transport: 'ws' | 'rest' | null; node: string; source: CallRecord['source']; status: 'ok' | 'error';
  error_code: string | null; latency_ms: number; requestor: string; request: string; response: string; truncated: number;
}

/** A row of calls as a StoredCall (the PostgreSQL store reads the same columns). */
export function callFromRow(r: CallRow): StoredCall {
  return {
    id: r.id, tenant: { accountId: r.account_id, env: r.env }, seq: Number(r.seq), atMs: Number(r.at_ms),
    capability: r.capability, transport: r.transport, node: r.node, source: r.source, status: r.status,
    ...(r.error_code !== null ? { errorCode: r.error_code } : {}),
    latencyMs: r.latency_ms, requestor: JSON.parse(r.requestor) as Record<string, string>,
    request: r.request, response: r.response, truncated: Boolean(r.truncated),
  };
}

/**
 * The WHERE clause and its values of a page (`$n` placeholders when `pg`, `?` otherwise). Every
 * filter is an equality or range on the leading columns of one index, ordered by (at_ms, seq).
 */
export function callListWhere(tenant: Tenant, q: CallQuery, pg: boolean): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (v: unknown) => { values.push(v); return pg ? `$${values.length}` : '?'; };
  const where = [`account_id = ${p(tenant.accountId)}`, `env = ${p(tenant.env)}`];
  if (q.capability !== undefined) where.push(`capability = ${p(q.capability)}`);
  // A literal, not a parameter: only then may the planner use the partial index of errors.
  if (q.status !== undefined) where.push(q.status === 'error' ? "status = 'error'" : "status = 'ok'");
  if (q.errorCode !== undefined) where.push(`error_code = ${p(q.errorCode)}`);
  if (q.from !== undefined) where.push(`at_ms >= ${p(q.from)}`);
  if (q.to !== undefined) where.push(`at_ms <= ${p(q.to)}`);
  if (q.before) where.push(`(at_ms, seq) < (${p(q.before.atMs)}, ${p(q.before.seq)})`);
  return { sql: where.join(' AND '), values };
}

/** The query shape's key: the same filters share one prepared statement. */
function shape(q: CallQuery): string {
  // The status is in the SQL itself (a literal), so ok and error are two shapes.
  return [q.capability, q.errorCode, q.from, q.to, q.before].map((v) => (v === undefined ? '0' : '1')).join('') + (q.status ?? '');
}

export class SqliteCallStore implements CallStore {
  private readonly q;
  private readonly lists = new Map<string, Statement<unknown[]>>();

  /** `db`: calls.db for reads; `writer`: the thread that makes every write, each batch its own transaction. */
  constructor(private readonly db: Db, private readonly writer: CallWriter) {
    this.q = {
      // Named: without statistics the planner would walk the tenant's whole key range instead.
      get: db.prepare('SELECT * FROM calls INDEXED BY calls_tenant_at WHERE account_id = ? AND env = ? AND at_ms = ? AND id = ?'),
      points: db.prepare(`SELECT at_ms, capability, status, latency_ms FROM calls
        WHERE account_id = ? AND env = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms DESC, seq DESC LIMIT ?`),
      pointsCap: db.prepare(`SELECT at_ms, capability, status, latency_ms FROM calls
        WHERE account_id = ? AND env = ? AND capability = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms DESC, seq DESC LIMIT ?`),
      // max() of the index's next column after the tenant: SQLite reads the one last entry of the
      // tenant's range of calls_tenant_at (plans.test.ts checks it is a seek).
      lastAt: db.prepare('SELECT max(at_ms) AS at FROM calls WHERE account_id = ? AND env = ?'),
    };
  }

  async insertMany(calls: readonly CallRecord[]): Promise<void> {
    if (!calls.length) return;
    const groups: TenantRows[] = [];
    for (const [, group] of byTenant(calls)) {
      const t = group[0]!.tenant;
      groups.push({ accountId: t.accountId, env: t.env, rows: group.map((c) => callValues(c, 0)) });
    }
    await this.writer.insert(groups, SEQ_AT);
  }

  async get(tenant: Tenant, id: string): Promise<StoredCall | undefined> {
    const atMs = callIdTime(id);
    if (atMs === undefined) return undefined;
    const r = this.q.get.get(tenant.accountId, tenant.env, atMs, id) as CallRow | undefined;
    return r && callFromRow(r);
  }

  async list(tenant: Tenant, q: CallQuery): Promise<StoredCall[]> {
    const key = shape(q);
    const { sql, values } = callListWhere(tenant, q, false);
    let stmt = this.lists.get(key);
    if (!stmt) {
      stmt = this.db.prepare(`SELECT * FROM calls WHERE ${sql} ORDER BY at_ms DESC, seq DESC LIMIT ?`);
      this.lists.set(key, stmt);
    }
    return (stmt.all(...values, q.limit) as CallRow[]).map(callFromRow);
  }

  async points(tenant: Tenant, q: { from: number; to: number; capability?: string; limit: number }): Promise<CallPoint[]> {
    const rows = (q.capability !== undefined
      ? this.q.pointsCap.all(tenant.accountId, tenant.env, q.capability, q.from, q.to, q.limit)
      : this.q.points.all(tenant.accountId, tenant.env, q.from, q.to, q.limit)) as Pick<CallRow, 'at_ms' | 'capability' | 'status' | 'latency_ms'>[];
    return rows.map((r) => ({ atMs: Number(r.at_ms), capability: r.capability, status: r.status, latencyMs: r.latency_ms }));
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
    return this.writer.pruneOlder(before, limit);
  }

  pruneBeyond(keep: number, limit: number): Promise<number> {
    return this.writer.pruneBeyond(keep, limit);
  }
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

/** The columns of calls in insert order, and a call's values in that order. */
export const CALL_COLUMNS = ['account_id', 'env', 'seq', 'id', 'at_ms', 'capability', 'transport', 'node', 'source', 'status',
  'error_code', 'latency_ms', 'requestor', 'request', 'response', 'truncated'] as const;

export function callValues(c: CallRecord, seq: number): unknown[] {
  return [c.tenant.accountId, c.tenant.env, seq, c.id, c.atMs, c.capability, c.transport, c.node, c.source, c.status,
    c.errorCode ?? null, c.latencyMs, JSON.stringify(c.requestor), c.request, c.response, c.truncated ? 1 : 0];
}

/** The writes, run by the writer thread (callWriter.ts). */
export const CALL_WRITES: CallWriterSql = {
  bumpSeq: `INSERT INTO call_seqs (account_id, env, last) VALUES (?, ?, ?)
    ON CONFLICT (account_id, env) DO UPDATE SET last = last + excluded.last RETURNING last`,
  insert: `INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map(() => '?').join(', ')})`,
  // Each tenant's oldest rows by (at_ms, seq): no index on the time alone to update per insert.
  // CROSS JOIN keeps the tenants outside (SQLite's way to fix the order), so each is a range of its index.
  pruneOlder: `DELETE FROM calls WHERE (account_id, env, seq) IN (SELECT c.account_id, c.env, c.seq FROM call_seqs t
      CROSS JOIN calls c ON c.account_id = t.account_id AND c.env = t.env AND c.at_ms < ? LIMIT ?)`,
  pruneBeyond: `DELETE FROM calls WHERE (account_id, env, seq) IN (SELECT c.account_id, c.env, c.seq FROM call_seqs t
      JOIN calls c ON c.account_id = t.account_id AND c.env = t.env AND c.seq <= t.last - @keep
    WHERE t.last > @keep LIMIT @limit)`,
};

const SEQ_AT = CALL_COLUMNS.indexOf('seq');
