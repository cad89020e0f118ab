// PostgreSQL sub-store of the call log. A batch is one transaction: each tenant's seqs come from a
// row lock on tenant_seqs (nodes flushing at once take turns per tenant), then one multi-row INSERT.
import { tenantKey, type Tenant } from '../../tenant.ts';
import type { CallPoint, CallQuery, CallRecord, CallStore, StoredCall } from '../store.ts';
import { byTenant } from '../sqlite/calls.ts';
import type { Pg } from './db.ts';

interface CallRow {
  account_id: string; env: Tenant['env']; seq: number; id: string; at_ms: number; capability: string;
  transport: 'ws' | 'rest' | null; node: string; source: CallRecord['source']; status: 'ok' | 'error';
  error_code: string | null; latency_ms: number; requestor: string; request: string; response: string; truncated: number;
}

/** A row of calls as a StoredCall. */
function callFromRow(r: CallRow): StoredCall {
  return {
    id: r.id, tenant: { accountId: r.account_id, env: r.env }, seq: Number(r.seq), atMs: Number(r.at_ms),
    capability: r.capability, transport: r.transport, node: r.node, source: r.source, status: r.status,
    ...(r.error_code !== null ? { errorCode: r.error_code } : {}),
    latencyMs: r.latency_ms, requestor: JSON.parse(r.requestor) as Record<string, string>,
    request: r.request, response: r.response, truncated: Boolean(r.truncated),
  };
}

/**
 * The WHERE clause and its values of a page. Every filter is an equality or range on the leading
 * columns of one index, ordered by (at_ms, seq).
 */
function callListWhere(tenant: Tenant, q: CallQuery): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
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

/** The columns of calls in insert order, and a call's values in that order. */
const CALL_COLUMNS = ['account_id', 'env', 'seq', 'id', 'at_ms', 'capability', 'transport', 'node', 'source', 'status',
  'error_code', 'latency_ms', 'requestor', 'request', 'response', 'truncated'] as const;

function callValues(c: CallRecord, seq: number): unknown[] {
  return [c.tenant.accountId, c.tenant.env, seq, c.id, c.atMs, c.capability, c.transport, c.node, c.source, c.status,
    c.errorCode ?? null, c.latencyMs, JSON.stringify(c.requestor), c.request, c.response, c.truncated ? 1 : 0];
}


/** Rows per INSERT statement: 16 columns each stays well under PostgreSQL's 65535 parameters. */
const ROWS_PER_INSERT = 1000;

export class PgCallStore implements CallStore {
  constructor(private readonly db: Pg) {}

  async insertMany(calls: readonly CallRecord[]): Promise<void> {
    if (!calls.length) return;
    await this.db.tx(async (q) => {
      const rows: unknown[][] = [];
      // Tenants in a fixed order, so two nodes' batches lock tenant_seqs rows in the same order (no deadlock).
      for (const [, group] of [...byTenant(calls)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const t = group[0]!.tenant;
        const [r] = await q.rows<{ last: number }>(`INSERT INTO tenant_seqs (tbl, account_id, env, last) VALUES ('calls', $1, $2, $3)
          ON CONFLICT (tbl, account_id, env) DO UPDATE SET last = tenant_seqs.last + $3 RETURNING last`, [t.accountId, t.env, group.length]);
        let seq = r!.last - group.length;
        for (const c of group) rows.push(callValues(c, ++seq));
      }
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        const chunk = rows.slice(i, i + ROWS_PER_INSERT);
        const n = CALL_COLUMNS.length;
        const tuples = chunk.map((_, j) => `(${CALL_COLUMNS.map((__, k) => `$${j * n + k + 1}`).join(', ')})`);
        await q.rows(`INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, chunk.flat());
      }
    });
  }

  async get(tenant: Tenant, id: string): Promise<StoredCall | undefined> {
    const [r] = await this.db.rows<CallRow>('SELECT * FROM calls WHERE id = $1 AND account_id = $2 AND env = $3', [id, tenant.accountId, tenant.env]);
    return r && callFromRow(r);
  }

  async list(tenant: Tenant, q: CallQuery): Promise<StoredCall[]> {
    const { sql, values } = callListWhere(tenant, q);
    const rows = await this.db.rows<CallRow>(`SELECT * FROM calls WHERE ${sql} ORDER BY at_ms DESC, seq DESC LIMIT $${values.length + 1}`,
      [...values, q.limit]);
    return rows.map(callFromRow);
  }

  async points(tenant: Tenant, q: { from: number; to: number; capability?: string; limit: number }): Promise<CallPoint[]> {
    const rows = await this.db.rows<Pick<CallRow, 'at_ms' | 'capability' | 'status' | 'latency_ms'>>(q.capability !== undefined
      ? `SELECT at_ms, capability, status, latency_ms FROM calls WHERE account_id = $1 AND env = $2 AND capability = $6
           AND at_ms >= $3 AND at_ms <= $4 ORDER BY at_ms DESC, seq DESC LIMIT $5`
      : `SELECT at_ms, capability, status, latency_ms FROM calls WHERE account_id = $1 AND env = $2
           AND at_ms >= $3 AND at_ms <= $4 ORDER BY at_ms DESC, seq DESC LIMIT $5`,
    [tenant.accountId, tenant.env, q.from, q.to, q.limit, ...(q.capability !== undefined ? [q.capability] : [])]);
    return rows.map((r) => ({ atMs: Number(r.at_ms), capability: r.capability, status: r.status, latencyMs: Number(r.latency_ms) }));
  }

  async lastCallAt(tenants: readonly Tenant[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!tenants.length) return out;
    // One round trip for the page: per tenant a max() the planner answers from the end of its range
    // of calls_tenant_at (an index-only scan backward, limit 1; plans.test.ts checks it).
    const rows = await this.db.rows<{ account_id: string; env: Tenant['env']; at: string | null }>(
      `SELECT t.account_id, t.env, (SELECT max(c.at_ms) FROM calls c WHERE c.account_id = t.account_id AND c.env = t.env) AS at
         FROM unnest($1::text[], $2::text[]) AS t(account_id, env)`,
      [tenants.map((t) => t.accountId), tenants.map((t) => t.env)]);
    for (const r of rows) if (r.at !== null) out.set(tenantKey({ accountId: r.account_id, env: r.env }), Number(r.at));
    return out;
  }

  async pruneOlder(before: number, limit: number): Promise<number> {
    // Each tenant's oldest rows by (at_ms, seq): there is no index on the time alone to update per insert.
    return this.db.count(`DELETE FROM calls WHERE (account_id, env, seq) IN (SELECT r.account_id, r.env, r.seq FROM tenant_seqs t
        JOIN calls r ON r.account_id = t.account_id AND r.env = t.env AND r.at_ms < $1
      WHERE t.tbl = 'calls' LIMIT $2)`, [before, limit]);
  }

  async pruneBeyond(keep: number, limit: number): Promise<number> {
    return this.db.count(`DELETE FROM calls WHERE (account_id, env, seq) IN (SELECT r.account_id, r.env, r.seq FROM tenant_seqs t JOIN calls r
        ON r.account_id = t.account_id AND r.env = t.env AND r.seq <= t.last - $1
      WHERE t.tbl = 'calls' AND t.last > $1 LIMIT $2)`, [keep, limit]);
  }
}
