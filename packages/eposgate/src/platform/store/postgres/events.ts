// PostgreSQL sub-stores of src/platform/events. What nodes race on is atomic here: seq numbers come
// from a row lock on tenant_seqs (one writer per tenant at a time, across pools), an insert and its
// seq commit together, and claimDue leases heads with FOR UPDATE SKIP LOCKED.
import type { Tenant } from '../../tenant.ts';
import {
  DONE_STATUSES,
  type DeliveryAttempt, type DeliveryError, type DeliveryFilter, type DeliveryPause, type DeliveryStatus, type EposEventRecord, type EposEventStore, type OutboxChange, type OutboxEntry,
  type OutboxStore,
} from '../store.ts';
import {
  attemptFromRow, changedColumns, eposEventFromRow, filterSql, finishedOf, outboxFromRow, pauseFromRow,
  type AttemptRow, type EposEventRow, type OutboxRow, type PauseRow,
} from '../sqlite/events.ts';
import type { Pg, Queryable } from './db.ts';

const DONE = DONE_STATUSES.map((s) => `'${s}'`).join(', ');

/** Hands out the tenant's next seq of `tbl`; the row stays locked until the caller's transaction ends. */
export async function nextSeq(q: Queryable, tbl: string, t: Tenant): Promise<number> {
  const [r] = await q.rows<{ seq: number }>(`INSERT INTO tenant_seqs (tbl, account_id, env, last) VALUES ($1, $2, $3, 1)
    ON CONFLICT (tbl, account_id, env) DO UPDATE SET last = tenant_seqs.last + 1 RETURNING last AS seq`, [tbl, t.accountId, t.env]);
  return r!.seq;
}

/** Keys of `tbl` rows (at most $2) not among their tenant's last $1 (`where` narrows them). */
export function beyondLast(tbl: string, where = ''): string {
  return `SELECT r.account_id, r.env, r.seq FROM tenant_seqs t JOIN ${tbl} r
    ON r.account_id = t.account_id AND r.env = t.env AND r.seq <= t.last - $1
    WHERE t.tbl = '${tbl}' AND t.last > $1 ${where} LIMIT $2`;
}

/** Each tenant's oldest pending row (the partial index event_outbox_pending walks it). */
const HEADS = `SELECT DISTINCT ON (account_id, env) * FROM event_outbox WHERE status = 'pending' ORDER BY account_id, env, seq`;

export class PgOutboxStore implements OutboxStore {
  constructor(private readonly db: Pg) {}

  async insert(e: Omit<OutboxEntry, 'seq'>): Promise<{ entry: OutboxEntry; created: boolean }> {
    const t = e.tenant;
    const get = (q: Queryable) => q.rows<OutboxRow>('SELECT * FROM event_outbox WHERE account_id = $1 AND env = $2 AND id = $3',
      [t.accountId, t.env, e.event.id]);
    const inserted = await this.db.tx(async (q) => {
      const [existing] = await get(q);
      if (existing) return { row: existing, created: false };
      const seq = await nextSeq(q, 'event_outbox', t);
      const created = Date.parse(e.event.createdAt);
      const [row] = await q.rows<OutboxRow>(`INSERT INTO event_outbox (account_id, env, seq, id, type, payload, status, reason,
          attempts, next_attempt_at, key_id, software_house_id, reseller_id, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        ON CONFLICT (account_id, env, id) DO NOTHING RETURNING *`,
      [t.accountId, t.env, seq, e.event.id, e.event.event, JSON.stringify(e.event), e.status, e.reason ?? null, e.attempts,
        e.nextAttemptAt, e.raisedBy.keyId, e.raisedBy.softwareHouseId, e.raisedBy.resellerId ?? null,
        Number.isFinite(created) ? created : e.nextAttemptAt]);
      // undefined: a concurrent raise of the same id committed first; this transaction's seq rolls back.
      if (!row) throw RAISED_MEANWHILE;
      return { row, created: true };
    }).catch(async (err) => {
      if (err !== RAISED_MEANWHILE) throw err;
      const [row] = await get(this.db);
      return { row: row!, created: false };
    });
    return { entry: outboxFromRow(inserted.row), created: inserted.created };
  }

  async get(tenant: Tenant, id: string): Promise<OutboxEntry | undefined> {
    const [r] = await this.db.rows<OutboxRow>('SELECT * FROM event_outbox WHERE account_id = $1 AND env = $2 AND id = $3',
      [tenant.accountId, tenant.env, id]);
    return r && outboxFromRow(r);
  }

  async list(tenant: Tenant, q: { status?: DeliveryStatus; after?: number; limit: number }): Promise<OutboxEntry[]> {
    const rows = q.status
      ? await this.db.rows<OutboxRow>(`SELECT * FROM event_outbox WHERE account_id = $1 AND env = $2 AND status = $3 AND seq > $4
          ORDER BY seq LIMIT $5`, [tenant.accountId, tenant.env, q.status, q.after ?? 0, q.limit])
      : await this.db.rows<OutboxRow>(`SELECT * FROM event_outbox WHERE account_id = $1 AND env = $2 AND seq > $3
          ORDER BY seq LIMIT $4`, [tenant.accountId, tenant.env, q.after ?? 0, q.limit]);
    return rows.map(outboxFromRow);
  }

  async dueHeads(now: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db.rows<OutboxRow>(`WITH h AS (${HEADS})
      SELECT * FROM h WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, ord LIMIT $2`, [now, limit]);
    return rows.map(outboxFromRow);
  }

  async releaseLeases(now: number, owner?: string): Promise<number> {
    return this.db.count(`UPDATE event_outbox SET lease_owner = NULL, lease_until = NULL, next_attempt_at = $1
      WHERE status = 'pending' AND lease_until > $1 AND ($2::text IS NULL OR lease_owner = $2)`, [now, owner ?? null]);
  }

  async claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    // One scan of the due pending rows, each kept only if it is its tenant's head (an index probe
    // on event_outbox_pending), so the plan does not depend on table statistics. The conditions are
    // on the locked row: one another node changed since this statement's snapshot is checked again
    // in its committed state, and one another node is claiming right now is skipped.
    const rows = await this.db.rows<OutboxRow & { ord: number }>(`WITH c AS (SELECT o.account_id, o.env, o.seq FROM event_outbox o
        WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until <= $1)
          AND o.seq = (SELECT MIN(i.seq) FROM event_outbox i WHERE i.account_id = o.account_id AND i.env = o.env AND i.status = 'pending')
          AND NOT EXISTS (SELECT 1 FROM event_tenant_state s
            WHERE s.account_id = o.account_id AND s.env = o.env AND s.paused_since IS NOT NULL)
        ORDER BY o.next_attempt_at, o.ord LIMIT $4 FOR UPDATE SKIP LOCKED)
      UPDATE event_outbox o SET lease_owner = $2, lease_until = $3, next_attempt_at = $3 FROM c
      WHERE o.account_id = c.account_id AND o.env = c.env AND o.seq = c.seq RETURNING o.*`, [now, owner, now + leaseMs, limit]);
    return rows.sort((a, b) => a.ord - b.ord).map(outboxFromRow);
  }

  async nextDueAt(after: number): Promise<number | undefined> {
    const [r] = await this.db.rows<{ at: number | null }>(`WITH h AS (${HEADS})
      SELECT MIN(next_attempt_at) AS at FROM h WHERE next_attempt_at > $1`, [after]);
    return r?.at ?? undefined;
  }

  async update(tenant: Tenant, id: string, change: OutboxChange, attempt?: { record: DeliveryAttempt; keep: number }): Promise<boolean> {
    const { columns, values } = changedColumns(change);
    if (!columns.length) return false;
    const n = columns.length;
    const update = `UPDATE event_outbox SET ${columns.map((c, i) => `${c} = $${i + 1}`).join(', ')},
        lease_owner = NULL, lease_until = NULL
      WHERE account_id = $${n + 1} AND env = $${n + 2} AND id = $${n + 3}
        AND (status = 'pending' OR (status = 'expired' AND $${n + 4}::boolean))`;
    const params: unknown[] = [...values, tenant.accountId, tenant.env, id, change.status === 'delivered'];
    if (!attempt && change.status !== 'delivered') return (await this.db.count(update, params)) > 0;
    // One statement, one round trip: the change, the attempt and the end of a run of dead letters.
    const bind = (v: unknown) => { params.push(v); return `$${params.length}`; };
    const key = `account_id = $${n + 1} AND env = $${n + 2}`;
    const parts = [`u AS (${update} RETURNING 1)`];
    if (attempt) {
      const a = attempt.record;
      parts.push(`m AS (SELECT COALESCE(MAX(n), 0) AS n FROM event_attempts WHERE ${key} AND event_id = $${n + 3})`,
        `a AS (INSERT INTO event_attempts (account_id, env, event_id, n, at, outcome, transport, node, latency_ms, error_code, error_message)
          SELECT $${n + 1}, $${n + 2}, $${n + 3}, m.n + 1, ${bind(a.at)}::text, ${bind(a.outcome)}::text, ${bind(a.transport ?? null)}::text,
            ${bind(a.node)}::text, ${bind(a.latencyMs ?? null)}::integer, ${bind(a.error?.code ?? null)}::text, ${bind(a.error?.message ?? null)}::text
          FROM m WHERE EXISTS (SELECT 1 FROM event_outbox WHERE ${key} AND id = $${n + 3}))`,
        `t AS (DELETE FROM event_attempts WHERE ${key} AND event_id = $${n + 3} AND n <= (SELECT n FROM m) + 1 - ${bind(attempt.keep)}::integer)`);
    }
    if (change.status === 'delivered') {
      parts.push(`r AS (UPDATE event_tenant_state SET dead_letters = 0 WHERE ${key} AND dead_letters > 0 AND EXISTS (SELECT 1 FROM u))`);
    }
    const [r] = await this.db.rows<{ n: number }>(`WITH ${parts.join(',\n')} SELECT count(*)::int AS n FROM u`, params);
    return (r?.n ?? 0) > 0;
  }

  async attempts(tenant: Tenant, id: string, limit: number): Promise<DeliveryAttempt[]> {
    const rows = await this.db.rows<AttemptRow>(`SELECT * FROM event_attempts WHERE account_id = $1 AND env = $2 AND event_id = $3
      ORDER BY n DESC LIMIT $4`, [tenant.accountId, tenant.env, id, limit]);
    return rows.map(attemptFromRow);
  }

  async deliveries(tenant: Tenant, filter: DeliveryFilter, q: { before?: number; limit: number }): Promise<OutboxEntry[]> {
    const params: unknown[] = [tenant.accountId, tenant.env];
    const bind = (v: unknown) => { params.push(v); return `$${params.length}`; };
    const before = q.before !== undefined ? ` AND seq < ${bind(q.before)}` : '';
    const rows = await this.db.rows<OutboxRow>(`SELECT * FROM event_outbox WHERE account_id = $1 AND env = $2${before}${filterSql(filter, bind)}
      ORDER BY seq DESC LIMIT ${bind(q.limit)}`, params);
    return rows.map(outboxFromRow);
  }

  async requeue(tenant: Tenant, which: { id: string } | DeliveryFilter, now: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db.tx(async (q) => {
      const params: unknown[] = [tenant.accountId, tenant.env];
      const bind = (v: unknown) => { params.push(v); return `$${params.length}`; };
      const where = 'id' in which
        ? ` AND id = ${bind(which.id)} AND status IN (${DONE})`
        : filterSql({ ...which, statuses: finishedOf(which) }, bind);
      // Locked, so a concurrent replay of the same rows waits and then finds them pending.
      // Not one still leased: an event that expired during its delivery may still be in flight.
      const picked = await q.rows<{ id: string }>(`SELECT id FROM event_outbox WHERE account_id = $1 AND env = $2${where}
          AND (lease_until IS NULL OR lease_until <= ${bind(now)}) ORDER BY seq LIMIT ${bind(limit)} FOR UPDATE`, params);
      if (!picked.length) return [];
      // A block of the tenant's next seqs, handed out in the entries' order.
      const [top] = await q.rows<{ last: number }>(`INSERT INTO tenant_seqs (tbl, account_id, env, last) VALUES ('event_outbox', $1, $2, $3)
        ON CONFLICT (tbl, account_id, env) DO UPDATE SET last = tenant_seqs.last + $3 RETURNING last`,
      [tenant.accountId, tenant.env, picked.length]);
      const first = top!.last - picked.length + 1;
      const updated = await q.rows<OutboxRow>(`UPDATE event_outbox o SET seq = p.seq, status = 'pending', reason = NULL, attempts = 0,
          next_attempt_at = $3, delivered_at = NULL, last_error = NULL, lease_owner = NULL, lease_until = NULL, requeued_at = $3
        FROM (SELECT unnest($4::text[]) AS id, unnest($5::bigint[]) AS seq) p
        WHERE o.account_id = $1 AND o.env = $2 AND o.id = p.id RETURNING o.*`,
      [tenant.accountId, tenant.env, now, picked.map((r) => r.id), picked.map((_, i) => first + i)]);
      return updated.sort((a, b) => a.seq - b.seq);
    });
    return rows.map(outboxFromRow);
  }

  async deadLettered(tenant: Tenant, pauseAfter: number, pause: DeliveryPause): Promise<DeliveryPause | undefined> {
    const [r] = await this.db.rows<PauseRow>(`INSERT INTO event_tenant_state AS s (account_id, env, dead_letters, paused_since, paused_reason)
        VALUES ($1, $2, 1, CASE WHEN $3::integer BETWEEN 1 AND 1 THEN $4::text END, CASE WHEN $3::integer BETWEEN 1 AND 1 THEN $5::text END)
      ON CONFLICT (account_id, env) DO UPDATE SET dead_letters = s.dead_letters + 1,
        paused_since = CASE WHEN s.paused_since IS NULL AND $3::integer > 0 AND s.dead_letters + 1 >= $3::integer THEN $4::text ELSE s.paused_since END,
        paused_reason = CASE WHEN s.paused_since IS NULL AND $3::integer > 0 AND s.dead_letters + 1 >= $3::integer THEN $5::text ELSE s.paused_reason END
      RETURNING paused_since, paused_reason`, [tenant.accountId, tenant.env, pauseAfter, pause.since, pause.reason]);
    return pauseFromRow(r);
  }

  async pauseOf(tenant: Tenant): Promise<DeliveryPause | undefined> {
    const [r] = await this.db.rows<PauseRow>(`SELECT paused_since, paused_reason FROM event_tenant_state
      WHERE account_id = $1 AND env = $2 AND paused_since IS NOT NULL`, [tenant.accountId, tenant.env]);
    return pauseFromRow(r);
  }

  async pause(tenant: Tenant, p: DeliveryPause): Promise<DeliveryPause> {
    const [r] = await this.db.rows<PauseRow>(`INSERT INTO event_tenant_state AS s (account_id, env, dead_letters, paused_since, paused_reason)
        VALUES ($1, $2, 0, $3, $4)
      ON CONFLICT (account_id, env) DO UPDATE SET paused_since = COALESCE(s.paused_since, EXCLUDED.paused_since),
        paused_reason = CASE WHEN s.paused_since IS NULL THEN EXCLUDED.paused_reason ELSE s.paused_reason END
      RETURNING paused_since, paused_reason`, [tenant.accountId, tenant.env, p.since, p.reason]);
    return pauseFromRow(r)!;
  }

  async resume(tenant: Tenant, now: number): Promise<number> {
    return this.db.tx(async (q) => {
      const t = [tenant.accountId, tenant.env];
      await q.count('UPDATE event_tenant_state SET dead_letters = 0, paused_since = NULL, paused_reason = NULL WHERE account_id = $1 AND env = $2', t);
      await q.count(`UPDATE event_outbox SET next_attempt_at = $3
        WHERE account_id = $1 AND env = $2 AND status = 'pending' AND next_attempt_at > $3
          AND (lease_until IS NULL OR lease_until <= $3)`, [...t, now]);
      const [r] = await q.rows<{ n: number }>("SELECT count(*)::int AS n FROM event_outbox WHERE account_id = $1 AND env = $2 AND status = 'pending'", t);
      return r?.n ?? 0;
    });
  }

  async makeDue(tenant: Tenant, now: number): Promise<number> {
    return this.db.count(`UPDATE event_outbox SET next_attempt_at = $1
      WHERE account_id = $2 AND env = $3 AND status = 'pending' AND next_attempt_at > $1
        AND (lease_until IS NULL OR lease_until <= $1)`, [now, tenant.accountId, tenant.env]);
  }

  async expirePending(before: number, lastError: DeliveryError, limit: number): Promise<number> {
    // Ages count from the raise, or from the last resend or replay.
    return this.db.count(`UPDATE event_outbox SET status = 'expired', reason = 'ttl', last_error = $1
      WHERE (account_id, env, seq) IN (SELECT account_id, env, seq FROM event_outbox
        WHERE status = 'pending' AND created_at < $2 AND (requeued_at IS NULL OR requeued_at < $2) LIMIT $3 FOR UPDATE SKIP LOCKED)`,
    [JSON.stringify(lastError), before, limit]);
  }

  async pruneDone(before: number, limit: number): Promise<number> {
    return this.deleteWithAttempts(`SELECT account_id, env, seq FROM event_outbox
      WHERE status IN (${DONE}) AND created_at < $1 AND (requeued_at IS NULL OR requeued_at < $1) LIMIT $2`, [before, limit]);
  }

  async pruneDoneBeyond(keep: number, limit: number): Promise<number> {
    return this.deleteWithAttempts(beyondLast('event_outbox', `AND r.status IN (${DONE})`), [keep, limit]);
  }

  /** Deletes the outbox rows `keys` selects and their attempts, in one statement. */
  private async deleteWithAttempts(keys: string, params: unknown[]): Promise<number> {
    const [r] = await this.db.rows<{ n: number }>(`WITH d AS (DELETE FROM event_outbox WHERE (account_id, env, seq) IN (${keys})
        RETURNING account_id, env, id),
      a AS (DELETE FROM event_attempts x USING d WHERE x.account_id = d.account_id AND x.env = d.env AND x.event_id = d.id)
      SELECT count(*)::int AS n FROM d`, params);
    return r?.n ?? 0;
  }

  async countByStatus(): Promise<{ pending: number; failed: number }> {
    // event_outbox_pending (partial, pending only) and event_outbox_age (status first) serve the two counts.
    const [r] = await this.db.rows<{ pending: string; failed: string }>(`SELECT
      (SELECT COUNT(*) FROM event_outbox WHERE status = 'pending') AS pending,
      (SELECT COUNT(*) FROM event_outbox WHERE status = 'failed') AS failed`);
    return { pending: Number(r!.pending), failed: Number(r!.failed) };
  }
}

/** Thrown inside the insert transaction to roll it back when another raise of the id won. */
const RAISED_MEANWHILE = new Error('raised meanwhile');

export class PgEposEventStore implements EposEventStore {
  constructor(private readonly db: Pg) {}

  async append(r: Omit<EposEventRecord, 'seq'>): Promise<EposEventRecord> {
    const seq = await this.db.tx(async (q) => {
      const n = await nextSeq(q, 'epos_events', r.tenant);
      await q.count(`INSERT INTO epos_events (account_id, env, seq, event_type, event, received_at, key_id, software_house_id, reseller_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [r.tenant.accountId, r.tenant.env, n, r.eventType, JSON.stringify(r.event),
        r.receivedAt, r.keyId, r.softwareHouseId, r.resellerId ?? null]);
      return n;
    });
    return { ...r, seq };
  }

  async list(tenant: Tenant, after: number, limit: number): Promise<EposEventRecord[]> {
    const rows = await this.db.rows<EposEventRow>('SELECT * FROM epos_events WHERE account_id = $1 AND env = $2 AND seq > $3 ORDER BY seq LIMIT $4',
      [tenant.accountId, tenant.env, after, limit]);
    return rows.map(eposEventFromRow);
  }

  async pruneOlder(before: number, limit: number): Promise<number> {
    return this.db.count(`DELETE FROM epos_events WHERE (account_id, env, seq) IN (SELECT account_id, env, seq FROM epos_events
      WHERE received_at < $1 LIMIT $2)`, [new Date(before).toISOString(), limit]);
  }

  async pruneBeyond(keep: number, limit: number): Promise<number> {
    return this.db.count(`DELETE FROM epos_events WHERE (account_id, env, seq) IN (${beyondLast('epos_events')})`, [keep, limit]);
  }
}
