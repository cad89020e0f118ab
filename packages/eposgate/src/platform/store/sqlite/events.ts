// SQLite sub-stores of src/platform/events: the outbox (events for EPOSes) and the events EPOSes
// submit. Both number rows per tenant (seq from 1), so a tenant's cursors reveal nothing of others.
import type { Tenant } from '../../tenant.ts';
import {
  DONE_STATUSES,
  type DeliveryAttempt, type DeliveryError, type DeliveryFilter, type DeliveryPause, type DeliveryStatus, type EposEventRecord, type EposEventStore, type OutboxChange, type OutboxEntry,
  type OutboxStore,
} from '../store.ts';
import type { Statement } from 'better-sqlite3';
import type { Db, Writer } from './db.ts';

export interface OutboxRow {
  account_id: string; env: Tenant['env']; seq: number; id: string; type: string; payload: string;
  status: DeliveryStatus; reason: string | null; attempts: number; next_attempt_at: number;
  last_attempt_at: string | null; delivered_at: string | null; last_error: string | null;
  key_id: string; software_house_id: string; reseller_id: string | null;
  lease_owner: string | null; lease_until: number | null; requeued_at: number | null;
}

/** A row of event_outbox as an entry (the PostgreSQL store reads the same columns). */
export function outboxFromRow(r: OutboxRow): OutboxEntry {
  return {
    tenant: { accountId: r.account_id, env: r.env },
    seq: r.seq,
    event: JSON.parse(r.payload),
    status: r.status,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    ...(r.last_attempt_at !== null ? { lastAttemptAt: r.last_attempt_at } : {}),
    ...(r.delivered_at !== null ? { deliveredAt: r.delivered_at } : {}),
    ...(r.last_error !== null ? { lastError: JSON.parse(r.last_error) } : {}),
    ...(r.lease_owner !== null && r.lease_until !== null ? { lease: { owner: r.lease_owner, until: Number(r.lease_until) } } : {}),
    ...(r.requeued_at !== null && r.requeued_at !== undefined ? { requeuedAt: new Date(Number(r.requeued_at)).toISOString() } : {}),
    raisedBy: raisedByFromRow(r),
  };
}

/** Who raised a row: the key, its software house and reseller (absent when the row has none). */
function raisedByFromRow(r: { key_id: string; software_house_id: string; reseller_id: string | null }): OutboxEntry['raisedBy'] {
  return { keyId: r.key_id, softwareHouseId: r.software_house_id, ...(r.reseller_id !== null ? { resellerId: r.reseller_id } : {}) };
}

const DONE = DONE_STATUSES.map((s) => `'${s}'`).join(', ');

/** A row of event_attempts (the PostgreSQL store reads the same columns). */
export interface AttemptRow {
  at: string; outcome: 'delivered' | 'failed'; transport: 'ws' | 'rest' | null; node: string; latency_ms: number | null;
  error_code: string | null; error_message: string | null;
}

export function attemptFromRow(r: AttemptRow): DeliveryAttempt {
  return {
    at: r.at, outcome: r.outcome, ...(r.transport !== null ? { transport: r.transport } : {}), node: r.node,
    ...(r.latency_ms !== null ? { latencyMs: Number(r.latency_ms) } : {}),
    ...(r.error_code !== null ? { error: { code: r.error_code, message: r.error_message ?? '' } } : {}),
  };
}

/**
 * The conditions of a DeliveryFilter, each as ` AND …`; `bind` adds a value and answers its
 * placeholder (`?` here, `$n` in PostgreSQL).
 */
export function filterSql(f: DeliveryFilter, bind: (v: unknown) => string): string {
  const parts: string[] = [];
  // An empty list of statuses matches nothing (a replay asked only for pending ones).
  if (f.statuses) parts.push(f.statuses.length ? `status IN (${f.statuses.map((st) => bind(st)).join(', ')})` : '1 = 0');
  if (f.type !== undefined) parts.push(`type = ${bind(f.type)}`);
  if (f.from !== undefined) parts.push(`created_at >= ${bind(f.from)}`);
  if (f.to !== undefined) parts.push(`created_at < ${bind(f.to)}`);
  return parts.map((x) => ` AND ${x}`).join('');
}

/** Only finished entries are queued again: the statuses of `f` among DONE_STATUSES (all of them when none given). */
export function finishedOf(f: DeliveryFilter): DeliveryStatus[] {
  return f.statuses ? f.statuses.filter((st) => DONE_STATUSES.includes(st)) : [...DONE_STATUSES];
}

/**
 * The next per-tenant seq of a table. tenant_seqs remembers the last one handed out, so pruning a
 * tenant's newest rows never hands a number out twice (cursors and SSE ids stay valid).
 */
export const NEXT_SEQ = `INSERT INTO tenant_seqs (tbl, account_id, env, last) VALUES (?, ?, ?, 1)
  ON CONFLICT (tbl, account_id, env) DO UPDATE SET last = last + 1 RETURNING last AS seq`;

/** Rowids of `tbl` (at most @limit) not among their tenant's last @keep rows (`where` narrows them). */
export function beyondLast(tbl: string, where = ''): string {
  return `SELECT r.rowid FROM tenant_seqs t JOIN ${tbl} r
    ON r.account_id = t.account_id AND r.env = t.env AND r.seq <= t.last - @keep
    WHERE t.tbl = '${tbl}' AND t.last > @keep ${where} LIMIT @limit`;
}

// event_outbox_heads holds each tenant's oldest pending row (kept by triggers, migration
// events-002), so finding due work costs O(log n) per tenant due, not a scan of every pending row.

const COLUMNS: Record<keyof OutboxChange, string> = {
  status: 'status', reason: 'reason', attempts: 'attempts', nextAttemptAt: 'next_attempt_at',
  lastAttemptAt: 'last_attempt_at', deliveredAt: 'delivered_at', lastError: 'last_error',
};

/** The columns an OutboxChange sets, in a stable order, and their values (undefined clears). */
export function changedColumns(change: OutboxChange): { columns: string[]; values: unknown[] } {
  const keys = (Object.keys(change) as (keyof OutboxChange)[]).sort();
  return {
    columns: keys.map((k) => COLUMNS[k]),
    values: keys.map((k) => {
      const v = change[k];
      return v === undefined ? null : k === 'lastError' ? JSON.stringify(v) : v;
    }),
  };
}

export class SqliteOutboxStore implements OutboxStore {
  private readonly q;
  private readonly insertTx;
  /** UPDATE statements by the set of columns they change (prepared once each). */
  private readonly updates = new Map<string, Statement<unknown[]>>();
  /** Statements by their SQL text (list filters, replays: a few dozen shapes at most). */
  private readonly shaped = new Map<string, Statement<unknown[]>>();
  private readonly requeueTx;
  constructor(private readonly db: Db, private readonly w: Writer) {
    this.q = {
      get: db.prepare('SELECT * FROM event_outbox WHERE account_id = ? AND env = ? AND id = ?'),
      nextSeq: db.prepare(NEXT_SEQ),
      insert: db.prepare(`INSERT INTO event_outbox (account_id, env, seq, id, type, payload, status, reason, attempts,
          next_attempt_at, last_attempt_at, delivered_at, last_error, key_id, software_house_id, reseller_id, created_at)
        VALUES (@accountId, @env, @seq, @id, @type, @payload, @status, @reason, @attempts, @nextAttemptAt, NULL, NULL, NULL,
          @keyId, @softwareHouseId, @resellerId, @createdAt)`),
      list: db.prepare(`SELECT * FROM event_outbox WHERE account_id = ? AND env = ? AND seq > ? ORDER BY seq LIMIT ?`),
      listStatus: db.prepare(`SELECT * FROM event_outbox WHERE account_id = ? AND env = ? AND status = ? AND seq > ?
        ORDER BY seq LIMIT ?`),
      // Ties (same next_attempt_at) go in raise order, across tenants, as before the head table.
      dueHeads: db.prepare(`SELECT o.* FROM event_outbox_heads h JOIN event_outbox o
          ON o.account_id = h.account_id AND o.env = h.env AND o.seq = h.seq
        WHERE h.next_attempt_at <= ? ORDER BY h.next_attempt_at, o.rowid LIMIT ?`),
      // The lease is checked on the row itself too: claimDue sets next_attempt_at to the lease's
      // end, but makeDue or a caller may move it.
      claimable: db.prepare(`SELECT o.* FROM event_outbox_heads h JOIN event_outbox o
          ON o.account_id = h.account_id AND o.env = h.env AND o.seq = h.seq
        WHERE h.next_attempt_at <= @now AND (o.lease_until IS NULL OR o.lease_until <= @now)
          AND NOT EXISTS (SELECT 1 FROM event_tenant_state s
            WHERE s.account_id = h.account_id AND s.env = h.env AND s.paused_since IS NOT NULL)
        ORDER BY h.next_attempt_at, o.rowid LIMIT @limit`),
      lease: db.prepare(`UPDATE event_outbox SET lease_owner = @owner, lease_until = @until, next_attempt_at = @until
        WHERE account_id = @accountId AND env = @env AND seq = @seq RETURNING *`),
      // The triggers move each tenant's head to its new next_attempt_at.
      release: db.prepare(`UPDATE event_outbox SET lease_owner = NULL, lease_until = NULL, next_attempt_at = @now
        WHERE status = 'pending' AND lease_until > @now AND (@owner IS NULL OR lease_owner = @owner)`),
      nextDue: db.prepare('SELECT MIN(next_attempt_at) AS at FROM event_outbox_heads WHERE next_attempt_at > ?'),
      makeDue: db.prepare(`UPDATE event_outbox SET next_attempt_at = @now
        WHERE account_id = @accountId AND env = @env AND status = 'pending' AND next_attempt_at > @now
          AND (lease_until IS NULL OR lease_until <= @now)`),
      // Ages count from the raise, or from the last resend or replay.
      expire: db.prepare(`UPDATE event_outbox SET status = 'expired', reason = 'ttl', last_error = @err
        WHERE rowid IN (SELECT rowid FROM event_outbox WHERE status = 'pending' AND created_at < @before
          AND (requeued_at IS NULL OR requeued_at < @before) LIMIT @limit)`),
      pruneDone: db.prepare(`DELETE FROM event_outbox WHERE rowid IN
        (SELECT rowid FROM event_outbox WHERE status IN (${DONE}) AND created_at < @before
          AND (requeued_at IS NULL OR requeued_at < @before) LIMIT @limit)`),
      lastAttempt: db.prepare(`SELECT COALESCE(MAX(n), 0) AS n FROM event_attempts WHERE account_id = ? AND env = ? AND event_id = ?`),
      attemptAdd: db.prepare(`INSERT INTO event_attempts (account_id, env, event_id, n, at, outcome, transport, node, latency_ms,
          error_code, error_message)
        SELECT @accountId, @env, @id, @n, @at, @outcome, @transport, @node, @latencyMs, @errorCode, @errorMessage
        WHERE EXISTS (SELECT 1 FROM event_outbox WHERE account_id = @accountId AND env = @env AND id = @id)`),
      attemptTrim: db.prepare('DELETE FROM event_attempts WHERE account_id = @accountId AND env = @env AND event_id = @id AND n <= @upTo'),
      attempts: db.prepare('SELECT * FROM event_attempts WHERE account_id = ? AND env = ? AND event_id = ? ORDER BY n DESC LIMIT ?'),
      endRun: db.prepare('UPDATE event_tenant_state SET dead_letters = 0 WHERE account_id = ? AND env = ? AND dead_letters > 0'),
      deadLettered: db.prepare(`INSERT INTO event_tenant_state (account_id, env, dead_letters) VALUES (@accountId, @env, 1)
        ON CONFLICT (account_id, env) DO UPDATE SET dead_letters = dead_letters + 1 RETURNING dead_letters, paused_since, paused_reason`),
      pause: db.prepare(`INSERT INTO event_tenant_state (account_id, env, dead_letters, paused_since, paused_reason)
          VALUES (@accountId, @env, 0, @since, @reason)
        ON CONFLICT (account_id, env) DO UPDATE SET paused_since = COALESCE(paused_since, excluded.paused_since),
          paused_reason = CASE WHEN paused_since IS NULL THEN excluded.paused_reason ELSE paused_reason END
        RETURNING paused_since, paused_reason`),
      pauseOf: db.prepare('SELECT paused_since, paused_reason FROM event_tenant_state WHERE account_id = ? AND env = ? AND paused_since IS NOT NULL'),
      unpause: db.prepare('UPDATE event_tenant_state SET dead_letters = 0, paused_since = NULL, paused_reason = NULL WHERE account_id = ? AND env = ?'),
      dueNow: db.prepare(`UPDATE event_outbox SET next_attempt_at = @now
        WHERE account_id = @accountId AND env = @env AND status = 'pending' AND next_attempt_at > @now
          AND (lease_until IS NULL OR lease_until <= @now)`),
      pendingCount: db.prepare("SELECT COUNT(*) AS n FROM event_outbox WHERE account_id = ? AND env = ? AND status = 'pending'"),
      requeueOne: db.prepare(`UPDATE event_outbox SET seq = @seq, status = 'pending', reason = NULL, attempts = 0,
          next_attempt_at = @now, delivered_at = NULL, last_error = NULL, lease_owner = NULL, lease_until = NULL, requeued_at = @now
        WHERE account_id = @accountId AND env = @env AND id = @id AND status IN (${DONE}) RETURNING *`),
      pruneBeyond: db.prepare(`DELETE FROM event_outbox WHERE rowid IN (${beyondLast('event_outbox', `AND r.status IN (${DONE})`)})`),
    };
    this.insertTx = db.transaction((e: Omit<OutboxEntry, 'seq'>): { row: OutboxRow; created: boolean } => {
      const existing = this.q.get.get(e.tenant.accountId, e.tenant.env, e.event.id) as OutboxRow | undefined;
      if (existing) return { row: existing, created: false };
      const { seq } = this.q.nextSeq.get('event_outbox', e.tenant.accountId, e.tenant.env) as { seq: number };
      const created = Date.parse(e.event.createdAt);
      this.q.insert.run({
        accountId: e.tenant.accountId, env: e.tenant.env, seq, id: e.event.id, type: e.event.event,
        payload: JSON.stringify(e.event), status: e.status, reason: e.reason ?? null, attempts: e.attempts,
        nextAttemptAt: e.nextAttemptAt, keyId: e.raisedBy.keyId, softwareHouseId: e.raisedBy.softwareHouseId,
        resellerId: e.raisedBy.resellerId ?? null, createdAt: Number.isFinite(created) ? created : e.nextAttemptAt,
      });
      return { row: this.q.get.get(e.tenant.accountId, e.tenant.env, e.event.id) as OutboxRow, created: true };
    });
    // Each entry queued again takes the tenant's next seq, in the order the entries had.
    this.requeueTx = db.transaction((t: Tenant, ids: string[], now: number): OutboxRow[] => ids.map((id) => {
      const { seq } = this.q.nextSeq.get('event_outbox', t.accountId, t.env) as { seq: number };
      return this.q.requeueOne.get({ seq, now, accountId: t.accountId, env: t.env, id }) as OutboxRow;
    }));
  }

  private shape(sql: string): Statement<unknown[]> {
    let stmt = this.shaped.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.shaped.set(sql, stmt);
    }
    return stmt;
  }

  async insert(entry: Omit<OutboxEntry, 'seq'>): Promise<{ entry: OutboxEntry; created: boolean }> {
    const { row, created } = await this.w.write(() => this.insertTx.immediate(entry));
    return { entry: outboxFromRow(row), created };
  }

  async get(tenant: Tenant, id: string): Promise<OutboxEntry | undefined> {
    const r = await this.w.read(() => this.q.get.get(tenant.accountId, tenant.env, id) as OutboxRow | undefined); // committed rows only: a replay answers after the first raise's COMMIT
    return r && outboxFromRow(r);
  }

  async list(tenant: Tenant, q: { status?: DeliveryStatus; after?: number; limit: number }): Promise<OutboxEntry[]> {
    const rows = (q.status
      ? this.q.listStatus.all(tenant.accountId, tenant.env, q.status, q.after ?? 0, q.limit)
      : this.q.list.all(tenant.accountId, tenant.env, q.after ?? 0, q.limit)) as OutboxRow[];
    return rows.map(outboxFromRow);
  }

  async dueHeads(now: number, limit: number): Promise<OutboxEntry[]> {
    return (this.q.dueHeads.all(now, limit) as OutboxRow[]).map(outboxFromRow);
  }

  async claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    const until = now + leaseMs;
    const rows = await this.w.write(() => (this.q.claimable.all({ now, limit }) as OutboxRow[]).map((r) =>
      this.q.lease.get({ owner, until, accountId: r.account_id, env: r.env, seq: r.seq }) as OutboxRow));
    return rows.map(outboxFromRow);
  }

  async releaseLeases(now: number, owner?: string): Promise<number> {
    return this.w.write(() => this.q.release.run({ now, owner: owner ?? null }).changes);
  }

  async nextDueAt(after: number): Promise<number | undefined> {
    const r = this.q.nextDue.get(after) as { at: number | null };
    return r.at ?? undefined;
  }

  async update(tenant: Tenant, id: string, change: OutboxChange, attempt?: { record: DeliveryAttempt; keep: number }): Promise<boolean> {
    const { columns, values } = changedColumns(change);
    if (!columns.length) return false;
    const sig = columns.join(',');
    let stmt = this.updates.get(sig);
    if (!stmt) {
      stmt = this.db.prepare(`UPDATE event_outbox SET ${columns.map((c) => `${c} = ?`).join(', ')},
          lease_owner = NULL, lease_until = NULL
        WHERE account_id = ? AND env = ? AND id = ? AND (status = 'pending' OR (status = 'expired' AND ? = 1))`);
      this.updates.set(sig, stmt);
    }
    const toDelivered = change.status === 'delivered' ? 1 : 0;
    const s = stmt;
    const { accountId, env } = tenant;
    return this.w.write(() => {
      const changed = s.run(...values, accountId, env, id, toDelivered).changes > 0;
      if (attempt) {
        const a = attempt.record;
        const key = { accountId, env, id };
        const n = (this.q.lastAttempt.get(accountId, env, id) as { n: number }).n + 1;
        this.q.attemptAdd.run({
          ...key, n, at: a.at, outcome: a.outcome, transport: a.transport ?? null, node: a.node,
          latencyMs: a.latencyMs ?? null, errorCode: a.error?.code ?? null, errorMessage: a.error?.message ?? null,
        });
        // Trimmed only once the log is full: most events never get that far.
        if (n > attempt.keep) this.q.attemptTrim.run({ ...key, upTo: n - attempt.keep });
      }
      if (changed && toDelivered) this.q.endRun.run(accountId, env);
      return changed;
    });
  }

  async attempts(tenant: Tenant, id: string, limit: number): Promise<DeliveryAttempt[]> {
    return (this.q.attempts.all(tenant.accountId, tenant.env, id, limit) as AttemptRow[]).map(attemptFromRow);
  }

  async deliveries(tenant: Tenant, filter: DeliveryFilter, q: { before?: number; limit: number }): Promise<OutboxEntry[]> {
    // A time range is found on event_outbox_created, which is not in seq order: its matches are
    // sorted from that index alone (it holds seq and the other filters), then only the page's rows
    // are read, not every row of the range (a day of a busy tenant's events). INDEXED BY: with a
    // cursor the planner would rather walk the primary key below it, which past the range's
    // oldest match reads every older row of the tenant looking for one more.
    const ranged = filter.from !== undefined || filter.to !== undefined;
    const t = [tenant.accountId, tenant.env];
    const values: unknown[] = ranged ? [...t, ...t] : t;
    const bind = (v: unknown) => { values.push(v); return '?'; };
    const before = q.before !== undefined ? ` AND seq < ${bind(q.before)}` : '';
    const page = `FROM event_outbox${ranged ? ' INDEXED BY event_outbox_created' : ''} WHERE account_id = ? AND env = ?${before}${filterSql(filter, bind)} ORDER BY seq DESC LIMIT ${bind(q.limit)}`;
    const sql = ranged
      ? `SELECT * FROM event_outbox WHERE account_id = ? AND env = ? AND seq IN (SELECT seq ${page}) ORDER BY seq DESC`
      : `SELECT * ${page}`;
    return (this.shape(sql).all(...values) as OutboxRow[]).map(outboxFromRow);
  }

  async requeue(tenant: Tenant, which: { id: string } | DeliveryFilter, now: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.w.write(() => {
      const values: unknown[] = [tenant.accountId, tenant.env];
      const bind = (v: unknown) => { values.push(v); return '?'; };
      const where = 'id' in which
        ? ` AND id = ${bind(which.id)} AND status IN (${DONE})`
        : filterSql({ ...which, statuses: finishedOf(which) }, bind);
      // Not one still leased: an event that expired during its delivery may still be in flight.
      const sql = `SELECT id FROM event_outbox WHERE account_id = ? AND env = ?${where}
        AND (lease_until IS NULL OR lease_until <= ${bind(now)}) ORDER BY seq LIMIT ${bind(limit)}`;
      const ids = (this.shape(sql).all(...values) as { id: string }[]).map((r) => r.id);
      return ids.length ? this.requeueTx.immediate(tenant, ids, now) : [];
    });
    return rows.filter((r): r is OutboxRow => r !== undefined).map(outboxFromRow);
  }

  async deadLettered(tenant: Tenant, pauseAfter: number, pause: DeliveryPause): Promise<DeliveryPause | undefined> {
    const key = { accountId: tenant.accountId, env: tenant.env };
    const r = await this.w.write(() => {
      const run = this.q.deadLettered.get(key) as PauseRow & { dead_letters: number };
      if (run.paused_since !== null || pauseAfter <= 0 || run.dead_letters < pauseAfter) return run;
      return this.q.pause.get({ ...key, since: pause.since, reason: pause.reason }) as PauseRow;
    });
    return pauseFromRow(r);
  }

  async pauseOf(tenant: Tenant): Promise<DeliveryPause | undefined> {
    return pauseFromRow(this.q.pauseOf.get(tenant.accountId, tenant.env) as PauseRow | undefined);
  }

  async pause(tenant: Tenant, p: DeliveryPause): Promise<DeliveryPause> {
    const r = await this.w.write(() => this.q.pause.get({ accountId: tenant.accountId, env: tenant.env, since: p.since, reason: p.reason }) as PauseRow);
    return pauseFromRow(r)!;
  }

  async resume(tenant: Tenant, now: number): Promise<number> {
    const { accountId, env } = tenant;
    return this.w.write(() => {
      this.q.unpause.run(accountId, env);
      this.q.dueNow.run({ now, accountId, env });
      return (this.q.pendingCount.get(accountId, env) as { n: number }).n;
    });
  }

  async makeDue(tenant: Tenant, now: number): Promise<number> {
    return (await this.w.write(() => this.q.makeDue.run({ now, accountId: tenant.accountId, env: tenant.env }))).changes;
  }

  async expirePending(before: number, lastError: DeliveryError, limit: number): Promise<number> {
    const err = JSON.stringify(lastError);
    return (await this.w.write(() => this.q.expire.run({ err, before, limit }))).changes;
  }

  async pruneDone(before: number, limit: number): Promise<number> {
    return (await this.w.write(() => this.q.pruneDone.run({ before, limit }))).changes;
  }

  async pruneDoneBeyond(keep: number, limit: number): Promise<number> {
    return (await this.w.write(() => this.q.pruneBeyond.run({ keep, limit }))).changes;
  }

  async countByStatus(): Promise<{ pending: number; failed: number }> {
    // event_outbox_pending leads with status: each count walks only its status's range of the index.
    this.countStmt ??= this.db.prepare("SELECT (SELECT COUNT(*) FROM event_outbox WHERE status = 'pending') AS pending, (SELECT COUNT(*) FROM event_outbox WHERE status = 'failed') AS failed");
    const r = this.countStmt.get() as { pending: number; failed: number };
    return { pending: r.pending, failed: r.failed };
  }
  private countStmt?: { get(): unknown };
}

export interface PauseRow { paused_since: string | null; paused_reason: string | null }

export function pauseFromRow(r: PauseRow | undefined): DeliveryPause | undefined {
  return r && r.paused_since !== null ? { since: r.paused_since, reason: r.paused_reason ?? '' } : undefined;
}

export interface EposEventRow {
  account_id: string; env: Tenant['env']; seq: number; event_type: string; event: string; received_at: string;
  key_id: string; software_house_id: string; reseller_id: string | null;
}

export function eposEventFromRow(r: EposEventRow): EposEventRecord {
  return {
    tenant: { accountId: r.account_id, env: r.env },
    seq: r.seq,
    eventType: r.event_type,
    event: JSON.parse(r.event),
    receivedAt: r.received_at,
    ...raisedByFromRow(r),
  };
}

export class SqliteEposEventStore implements EposEventStore {
  private readonly q;
  private readonly appendTx;
  constructor(db: Db, private readonly w: Writer) {
    this.q = {
      nextSeq: db.prepare(NEXT_SEQ),
      insert: db.prepare(`INSERT INTO epos_events (account_id, env, seq, event_type, event, received_at, key_id,
          software_house_id, reseller_id)
        VALUES (@accountId, @env, @seq, @eventType, @event, @receivedAt, @keyId, @softwareHouseId, @resellerId)`),
      list: db.prepare('SELECT * FROM epos_events WHERE account_id = ? AND env = ? AND seq > ? ORDER BY seq LIMIT ?'),
      pruneOlder: db.prepare(`DELETE FROM epos_events WHERE rowid IN
        (SELECT rowid FROM epos_events WHERE received_at < ? LIMIT ?)`),
      pruneBeyond: db.prepare(`DELETE FROM epos_events WHERE rowid IN (${beyondLast('epos_events')})`),
    };
    this.appendTx = db.transaction((r: Omit<EposEventRecord, 'seq'>): number => {
      const { seq } = this.q.nextSeq.get('epos_events', r.tenant.accountId, r.tenant.env) as { seq: number };
      this.q.insert.run({
        accountId: r.tenant.accountId, env: r.tenant.env, seq, eventType: r.eventType, event: JSON.stringify(r.event),
        receivedAt: r.receivedAt, keyId: r.keyId, softwareHouseId: r.softwareHouseId, resellerId: r.resellerId ?? null,
      });
      return seq;
    });
  }

  async append(rec: Omit<EposEventRecord, 'seq'>): Promise<EposEventRecord> {
    return { ...rec, seq: await this.w.write(() => this.appendTx.immediate(rec)) };
  }

  async list(tenant: Tenant, after: number, limit: number): Promise<EposEventRecord[]> {
    return (this.q.list.all(tenant.accountId, tenant.env, after, limit) as EposEventRow[]).map(eposEventFromRow);
  }

  async pruneOlder(before: number, limit: number): Promise<number> {
    const iso = new Date(before).toISOString();
    return (await this.w.write(() => this.q.pruneOlder.run(iso, limit))).changes;
  }

  async pruneBeyond(keep: number, limit: number): Promise<number> {
    return (await this.w.write(() => this.q.pruneBeyond.run({ keep, limit }))).changes;
  }
}
