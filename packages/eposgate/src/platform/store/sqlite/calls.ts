// SQLite sub-store of the call log (src/platform/calllog). The flusher writes calls in batches;
// each tenant's rows are numbered (seq) so retention can keep its newest N without counting.
import type { Statement } from 'better-sqlite3';
import type { Tenant } from '../../tenant.ts';
import type { CallPoint, CallQuery, CallRecord, CallStore, StoredCall } from '../store.ts';
import type { Db, Writer } from './db.ts';

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
  if (q.status !== undefined) where.push(`status = ${p(q.status)}`);
  if (q.errorCode !== undefined) where.push(`error_code = ${p(q.errorCode)}`);
  if (q.from !== undefined) where.push(`at_ms >= ${p(q.from)}`);
  if (q.to !== undefined) where.push(`at_ms <= ${p(q.to)}`);
  if (q.before) where.push(`(at_ms, seq) < (${p(q.before.atMs)}, ${p(q.before.seq)})`);
  return { sql: where.join(' AND '), values };
}

/** The query shape's key: the same filters share one prepared statement. */
function shape(q: CallQuery): string {
  return [q.capability, q.status, q.errorCode, q.from, q.to, q.before].map((v) => (v === undefined ? '0' : '1')).join('');
}

export class SqliteCallStore implements CallStore {
  private readonly q;
  private readonly lists = new Map<string, Statement<unknown[]>>();
  private readonly insertTx;

  constructor(private readonly db: Db, private readonly w: Writer) {
    this.q = {
      bumpSeq: db.prepare(`INSERT INTO tenant_seqs (tbl, account_id, env, last) VALUES ('calls', @accountId, @env, @n)
        ON CONFLICT (tbl, account_id, env) DO UPDATE SET last = last + @n RETURNING last`),
      insert: db.prepare(`INSERT INTO calls (account_id, env, seq, id, at_ms, capability, transport, node, source, status,
          error_code, latency_ms, requestor, request, response, truncated)
        VALUES (@accountId, @env, @seq, @id, @atMs, @capability, @transport, @node, @source, @status,
          @errorCode, @latencyMs, @requestor, @request, @response, @truncated)`),
      get: db.prepare('SELECT * FROM calls WHERE id = ? AND account_id = ? AND env = ?'),
      points: db.prepare(`SELECT at_ms, capability, status, latency_ms FROM calls
        WHERE account_id = ? AND env = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms DESC, seq DESC LIMIT ?`),
      pointsCap: db.prepare(`SELECT at_ms, capability, status, latency_ms FROM calls
        WHERE account_id = ? AND env = ? AND capability = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms DESC, seq DESC LIMIT ?`),
      pruneOlder: db.prepare('DELETE FROM calls WHERE rowid IN (SELECT rowid FROM calls WHERE at_ms < ? LIMIT ?)'),
      pruneBeyond: db.prepare(`DELETE FROM calls WHERE rowid IN (SELECT r.rowid FROM tenant_seqs t JOIN calls r
          ON r.account_id = t.account_id AND r.env = t.env AND r.seq <= t.last - @keep
        WHERE t.tbl = 'calls' AND t.last > @keep LIMIT @limit)`),
    };
    this.insertTx = db.transaction((calls: readonly CallRecord[]) => {
      for (const [, group] of byTenant(calls)) {
        const t = group[0]!.tenant;
        const { last } = this.q.bumpSeq.get({ accountId: t.accountId, env: t.env, n: group.length }) as { last: number };
        let seq = last - group.length;
        for (const c of group) this.q.insert.run(callParams(c, ++seq));
      }
    });
  }

  async insertMany(calls: readonly CallRecord[]): Promise<void> {
    if (!calls.length) return;
    await this.w.write(() => this.insertTx.immediate(calls));
  }

  async get(tenant: Tenant, id: string): Promise<StoredCall | undefined> {
    const r = this.q.get.get(id, tenant.accountId, tenant.env) as CallRow | undefined;
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

  async pruneOlder(before: number, limit: number): Promise<number> {
    return (await this.w.write(() => this.q.pruneOlder.run(before, limit))).changes;
  }

  async pruneBeyond(keep: number, limit: number): Promise<number> {
    return (await this.w.write(() => this.q.pruneBeyond.run({ keep, limit }))).changes;
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

function callParams(c: CallRecord, seq: number): Record<string, unknown> {
  return {
    accountId: c.tenant.accountId, env: c.tenant.env, seq, id: c.id, atMs: c.atMs, capability: c.capability,
    transport: c.transport, node: c.node, source: c.source, status: c.status, errorCode: c.errorCode ?? null,
    latencyMs: c.latencyMs, requestor: JSON.stringify(c.requestor), request: c.request, response: c.response,
    truncated: c.truncated ? 1 : 0,
  };
}

/** The columns of calls in insert order, and a call's values in that order (PostgreSQL's multi-row insert). */
export const CALL_COLUMNS = ['account_id', 'env', 'seq', 'id', 'at_ms', 'capability', 'transport', 'node', 'source', 'status',
  'error_code', 'latency_ms', 'requestor', 'request', 'response', 'truncated'] as const;

export function callValues(c: CallRecord, seq: number): unknown[] {
  return [c.tenant.accountId, c.tenant.env, seq, c.id, c.atMs, c.capability, c.transport, c.node, c.source, c.status,
    c.errorCode ?? null, c.latencyMs, JSON.stringify(c.requestor), c.request, c.response, c.truncated ? 1 : 0];
}
