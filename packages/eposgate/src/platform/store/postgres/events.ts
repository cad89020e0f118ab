// PostgreSQL sub-stores of src/platform/events. What nodes race on is atomic here: seq numbers come
// from a row lock on tenant_seqs (one writer per tenant at a time, across pools), an insert and its
// seq commit together, and claimDue leases heads with FOR UPDATE SKIP LOCKED.
import type { Tenant } from '../../tenant.ts';
import {
  DONE_STATUSES,
  type DeliveryError, type DeliveryStatus, type EposEventRecord, type EposEventStore, type OutboxChange, type OutboxEntry,
  type OutboxStore,
} from '../store.ts';
import { changedColumns, eposEventFromRow, outboxFromRow, type EposEventRow, type OutboxRow } from '../sqlite/events.ts';
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

  async claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    // One scan of the due pending rows, each kept only if it is its tenant's head (an index probe
    // on event_outbox_pending), so the plan does not depend on table statistics. The conditions are
    // on the locked row: one another node changed since this statement's snapshot is checked again
    // in its committed state, and one another node is claiming right now is skipped.
    const rows = await this.db.rows<OutboxRow & { ord: number }>(`WITH c AS (SELECT o.account_id, o.env, o.seq FROM event_outbox o
        WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until <= $1)
          AND o.seq = (SELECT MIN(i.seq) FROM event_outbox i WHERE i.account_id = o.account_id AND i.env = o.env AND i.status = 'pending')
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

  async update(tenant: Tenant, id: string, change: OutboxChange): Promise<boolean> {
    const { columns, values } = changedColumns(change);
    if (!columns.length) return false;
    const n = columns.length;
    const sql = `UPDATE event_outbox SET ${columns.map((c, i) => `${c} = $${i + 1}`).join(', ')},
        lease_owner = NULL, lease_until = NULL
      WHERE account_id = $${n + 1} AND env = $${n + 2} AND id = $${n + 3}
        AND (status = 'pending' OR (status = 'expired' AND $${n + 4}))`;
    return (await this.db.count(sql, [...values, tenant.accountId, tenant.env, id, change.status === 'delivered'])) > 0;
  }

  async makeDue(tenant: Tenant, now: number): Promise<number> {
    return this.db.count(`UPDATE event_outbox SET next_attempt_at = $1
      WHERE account_id = $2 AND env = $3 AND status = 'pending' AND next_attempt_at > $1
        AND (lease_until IS NULL OR lease_until <= $1)`, [now, tenant.accountId, tenant.env]);
  }

  async expirePending(before: number, lastError: DeliveryError, limit: number): Promise<number> {
    return this.db.count(`UPDATE event_outbox SET status = 'expired', reason = 'ttl', last_error = $1
      WHERE (account_id, env, seq) IN (SELECT account_id, env, seq FROM event_outbox
        WHERE status = 'pending' AND created_at < $2 LIMIT $3 FOR UPDATE SKIP LOCKED)`, [JSON.stringify(lastError), before, limit]);
  }

  async pruneDone(before: number, limit: number): Promise<number> {
    return this.db.count(`DELETE FROM event_outbox WHERE (account_id, env, seq) IN (SELECT account_id, env, seq FROM event_outbox
      WHERE status IN (${DONE}) AND created_at < $1 LIMIT $2)`, [before, limit]);
  }

  async pruneDoneBeyond(keep: number, limit: number): Promise<number> {
    return this.db.count(`DELETE FROM event_outbox WHERE (account_id, env, seq) IN
      (${beyondLast('event_outbox', `AND r.status IN (${DONE})`)})`, [keep, limit]);
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
