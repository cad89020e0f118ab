function toFlow(r) {
    return {
        flowID: r.id,
        flowName: r.flow_name,
        status: r.status,
        startedAt: r.started_at,
        ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
        steps: JSON.parse(r.steps),
        tenant: { accountId: r.account_id, env: r.env },
        flow: r.flow,
        params: JSON.parse(r.params),
    };
}
export class SqliteFlowStore {
    w;
    q;
    constructor(db, w) {
        this.w = w;
        this.q = {
            insert: db.prepare(`INSERT INTO tester_flows (id, account_id, env, flow, flow_name, params, status, started_at, finished_at, steps)
        VALUES (@id, @accountId, @env, @flow, @flowName, @params, @status, @startedAt, @finishedAt, @steps)`),
            update: db.prepare('UPDATE tester_flows SET status = ?, steps = ?, finished_at = COALESCE(?, finished_at) WHERE id = ?'),
            get: db.prepare('SELECT * FROM tester_flows WHERE id = ? AND account_id = ? AND env = ?'),
            inProgress: db.prepare("SELECT * FROM tester_flows WHERE status = 'IN_PROGRESS' ORDER BY started_at"),
            pruneFinished: db.prepare(`DELETE FROM tester_flows WHERE rowid IN (SELECT rowid FROM tester_flows
        WHERE finished_at IS NOT NULL AND finished_at < ? AND status <> 'IN_PROGRESS' LIMIT ?)`),
            // Candidates only (IN_PROGRESS runs count here); the delete below skips those.
            tenantsOver: db.prepare('SELECT account_id, env FROM tester_flows GROUP BY account_id, env HAVING COUNT(*) > ?'),
            pruneTenant: db.prepare(`DELETE FROM tester_flows WHERE rowid IN (SELECT rowid FROM tester_flows
        WHERE account_id = ? AND env = ? AND status <> 'IN_PROGRESS' ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?)`),
        };
    }
    async insert(f) {
        await this.w.write(() => this.q.insert.run({
            id: f.flowID, accountId: f.tenant.accountId, env: f.tenant.env, flow: f.flow, flowName: f.flowName,
            params: JSON.stringify(f.params), status: f.status, startedAt: f.startedAt, finishedAt: f.finishedAt ?? null,
            steps: JSON.stringify(f.steps),
        }));
    }
    async update(id, c) {
        await this.w.write(() => this.q.update.run(c.status, JSON.stringify(c.steps), c.finishedAt ?? null, id));
    }
    async get(tenant, id) {
        const r = this.q.get.get(id, tenant.accountId, tenant.env);
        return r && toFlow(r);
    }
    async inProgress() {
        return this.q.inProgress.all().map(toFlow);
    }
    async pruneFinished(before, limit) {
        const iso = new Date(before).toISOString();
        return (await this.w.write(() => this.q.pruneFinished.run(iso, limit))).changes;
    }
    async pruneFinishedBeyond(keep, limit) {
        let left = limit;
        for (const t of this.q.tenantsOver.all(keep)) {
            if (left <= 0)
                break;
            left -= (await this.w.write(() => this.q.pruneTenant.run(t.account_id, t.env, left, keep))).changes;
        }
        return limit - left;
    }
}
