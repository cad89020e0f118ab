// Tester flow runs in PostgreSQL: readable from every node; each run names the node running it.
import type { Tenant } from '../../tenant.ts';
import type { FlowStatus, StepRecord, StoredFlow } from '../../tester/records.ts';
import type { FinishedRun, FlowOwnerFilter, FlowStore } from '../store.ts';
import { finishedRun, ownedBy, toFlow, type FinishedRunRow, type FlowRow } from '../sqlite/flows.ts';
import type { Pg } from './db.ts';

export class PgFlowStore implements FlowStore {
  constructor(private readonly db: Pg) {}

  async insert(f: StoredFlow): Promise<void> {
    await this.db.count(`INSERT INTO tester_flows (id, account_id, env, flow, flow_name, params, status, started_at, finished_at, steps, node)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [f.flowID, f.tenant.accountId, f.tenant.env, f.flow, f.flowName, JSON.stringify(f.params), f.status, f.startedAt,
      f.finishedAt ?? null, JSON.stringify(f.steps), f.node ?? null]);
  }

  async update(id: string, c: { status: FlowStatus; steps: StepRecord[]; finishedAt?: string }): Promise<void> {
    await this.db.count('UPDATE tester_flows SET status = $1, steps = $2, finished_at = COALESCE($3, finished_at) WHERE id = $4',
      [c.status, JSON.stringify(c.steps), c.finishedAt ?? null, id]);
  }

  async get(tenant: Tenant, id: string): Promise<StoredFlow | undefined> {
    const [r] = await this.db.rows<FlowRow>('SELECT * FROM tester_flows WHERE id = $1 AND account_id = $2 AND env = $3',
      [id, tenant.accountId, tenant.env]);
    return r && toFlow(r);
  }

  async latestFinished(tenant: Tenant): Promise<FinishedRun[]> {
    const rows = await this.db.rows<FinishedRunRow>(`SELECT id, flow, status, finished_at FROM (
        SELECT id, flow, status, finished_at, ROW_NUMBER() OVER (PARTITION BY flow ORDER BY finished_at DESC, ord DESC) AS n
        FROM tester_flows WHERE account_id = $1 AND env = $2 AND status <> 'IN_PROGRESS' AND finished_at IS NOT NULL
      ) latest WHERE n = 1`, [tenant.accountId, tenant.env]);
    return rows.map(finishedRun);
  }

  async inProgress(owner?: FlowOwnerFilter): Promise<StoredFlow[]> {
    const rows = await this.db.rows<FlowRow>("SELECT * FROM tester_flows WHERE status = 'IN_PROGRESS' ORDER BY started_at, ord");
    return ownedBy(rows.map(toFlow), owner);
  }

  async pruneFinished(before: number, limit: number): Promise<number> {
    return this.db.count(`DELETE FROM tester_flows WHERE id IN (SELECT id FROM tester_flows
      WHERE finished_at IS NOT NULL AND finished_at < $1 AND status <> 'IN_PROGRESS' LIMIT $2)`, [new Date(before).toISOString(), limit]);
  }

  async pruneFinishedBeyond(keep: number, limit: number): Promise<number> {
    let left = limit;
    // Candidates only (IN_PROGRESS runs count here); the delete below skips those.
    const over = await this.db.rows<{ account_id: string; env: string }>(
      'SELECT account_id, env FROM tester_flows GROUP BY account_id, env HAVING COUNT(*) > $1', [keep]);
    for (const t of over) {
      if (left <= 0) break;
      left -= await this.db.count(`DELETE FROM tester_flows WHERE id IN (SELECT id FROM tester_flows
        WHERE account_id = $1 AND env = $2 AND status <> 'IN_PROGRESS' ORDER BY started_at DESC, ord DESC LIMIT $3 OFFSET $4)`,
      [t.account_id, t.env, left, keep]);
    }
    return limit - left;
  }
}
