// Tester flow runs: one row per run, steps as JSON (rewritten as each step starts and ends).
import type { Tenant } from '../../tenant.ts';
import type { FinishedRun, FlowOwnerFilter, FlowStore } from '../store.ts';
import type { FlowStatus, StepRecord, StoredFlow } from '../../tester/records.ts';
import type { Db, Writer } from './db.ts';

export interface FlowRow {
  id: string; account_id: string; env: Tenant['env']; flow: string; flow_name: string; params: string;
  status: FlowStatus; started_at: string; finished_at: string | null; steps: string; node: string | null;
}

/** A row of tester_flows as a stored flow (the PostgreSQL store reads the same columns). */
export function toFlow(r: FlowRow): StoredFlow {
  return {
    flowID: r.id,
    flowName: r.flow_name,
    status: r.status,
    startedAt: r.started_at,
    ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
    steps: JSON.parse(r.steps) as StepRecord[],
    tenant: { accountId: r.account_id, env: r.env },
    flow: r.flow,
    params: JSON.parse(r.params) as Record<string, unknown>,
    ...(r.node !== null ? { node: r.node } : {}),
  };
}

export interface FinishedRunRow { id: string; flow: string; status: FinishedRun['status']; finished_at: string }

export function finishedRun(r: FinishedRunRow): FinishedRun {
  return { flowID: r.id, flow: r.flow, status: r.status, finishedAt: r.finished_at };
}

export class SqliteFlowStore implements FlowStore {
  private readonly q;
  constructor(db: Db, private readonly w: Writer) {
    this.q = {
      insert: db.prepare(`INSERT INTO tester_flows (id, account_id, env, flow, flow_name, params, status, started_at, finished_at, steps, node)
        VALUES (@id, @accountId, @env, @flow, @flowName, @params, @status, @startedAt, @finishedAt, @steps, @node)`),
      update: db.prepare('UPDATE tester_flows SET status = ?, steps = ?, finished_at = COALESCE(?, finished_at) WHERE id = ?'),
      get: db.prepare('SELECT * FROM tester_flows WHERE id = ? AND account_id = ? AND env = ?'),
      latestFinished: db.prepare(`SELECT id, flow, status, finished_at FROM (
        SELECT id, flow, status, finished_at, ROW_NUMBER() OVER (PARTITION BY flow ORDER BY finished_at DESC, rowid DESC) AS n
        FROM tester_flows WHERE account_id = ? AND env = ? AND status <> 'IN_PROGRESS' AND finished_at IS NOT NULL
      ) latest WHERE n = 1`),
      inProgress: db.prepare("SELECT * FROM tester_flows WHERE status = 'IN_PROGRESS' ORDER BY started_at"),
      pruneFinished: db.prepare(`DELETE FROM tester_flows WHERE rowid IN (SELECT rowid FROM tester_flows
        WHERE finished_at IS NOT NULL AND finished_at < ? AND status <> 'IN_PROGRESS' LIMIT ?)`),
      // Candidates only (IN_PROGRESS runs count here); the delete below skips those.
      tenantsOver: db.prepare('SELECT account_id, env FROM tester_flows GROUP BY account_id, env HAVING COUNT(*) > ?'),
      pruneTenant: db.prepare(`DELETE FROM tester_flows WHERE rowid IN (SELECT rowid FROM tester_flows
        WHERE account_id = ? AND env = ? AND status <> 'IN_PROGRESS' ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?)`),
    };
  }

  async insert(f: StoredFlow): Promise<void> {
    await this.w.write(() => this.q.insert.run({
      id: f.flowID, accountId: f.tenant.accountId, env: f.tenant.env, flow: f.flow, flowName: f.flowName,
      params: JSON.stringify(f.params), status: f.status, startedAt: f.startedAt, finishedAt: f.finishedAt ?? null,
      steps: JSON.stringify(f.steps), node: f.node ?? null,
    }));
  }

  async update(id: string, c: { status: FlowStatus; steps: StepRecord[]; finishedAt?: string }): Promise<void> {
    await this.w.write(() => this.q.update.run(c.status, JSON.stringify(c.steps), c.finishedAt ?? null, id));
  }

  async get(tenant: Tenant, id: string): Promise<StoredFlow | undefined> {
    const r = this.q.get.get(id, tenant.accountId, tenant.env) as FlowRow | undefined;
    return r && toFlow(r);
  }

  async latestFinished(tenant: Tenant): Promise<FinishedRun[]> {
    return (this.q.latestFinished.all(tenant.accountId, tenant.env) as FinishedRunRow[]).map(finishedRun);
  }

  async inProgress(owner?: FlowOwnerFilter): Promise<StoredFlow[]> {
    return ownedBy((this.q.inProgress.all() as FlowRow[]).map(toFlow), owner);
  }

  async pruneFinished(before: number, limit: number): Promise<number> {
    const iso = new Date(before).toISOString();
    return (await this.w.write(() => this.q.pruneFinished.run(iso, limit))).changes;
  }

  async pruneFinishedBeyond(keep: number, limit: number): Promise<number> {
    let left = limit;
    for (const t of this.q.tenantsOver.all(keep) as { account_id: string; env: string }[]) {
      if (left <= 0) break;
      left -= (await this.w.write(() => this.q.pruneTenant.run(t.account_id, t.env, left, keep))).changes;
    }
    return limit - left;
  }
}

/** The flows `owner` selects (store.ts FlowStore.inProgress). IN_PROGRESS runs are few: filtered here, not in SQL. */
export function ownedBy(flows: StoredFlow[], owner?: FlowOwnerFilter): StoredFlow[] {
  if (!owner) return flows;
  return flows.filter((f) => (owner.only === undefined || f.node === owner.only)
    && (owner.notIn === undefined || f.node === undefined || !owner.notIn.includes(f.node)));
}
