import { DONE_STATUSES, } from "../store.js";
function outboxFromRow(r) {
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
        raisedBy: {
            keyId: r.key_id, softwareHouseId: r.software_house_id,
            ...(r.reseller_id !== null ? { resellerId: r.reseller_id } : {}),
        },
    };
}
const DONE = DONE_STATUSES.map((s) => `'${s}'`).join(', ');
/**
 * The next per-tenant seq of a table. tenant_seqs remembers the last one handed out, so pruning a
 * tenant's newest rows never hands a number out twice (cursors and SSE ids stay valid).
 */
export const NEXT_SEQ = `INSERT INTO tenant_seqs (tbl, account_id, env, last) VALUES (?, ?, ?, 1)
  ON CONFLICT (tbl, account_id, env) DO UPDATE SET last = last + 1 RETURNING last AS seq`;
/** Rowids of `tbl` (at most @limit) not among their tenant's last @keep rows (`where` narrows them). */
function beyondLast(tbl, where = '') {
    return `SELECT r.rowid FROM tenant_seqs t JOIN ${tbl} r
    ON r.account_id = t.account_id AND r.env = t.env AND r.seq <= t.last - @keep
    WHERE t.tbl = '${tbl}' AND t.last > @keep ${where} LIMIT @limit`;
}
// event_outbox_heads holds each tenant's oldest pending row (kept by triggers, migration
// events-002), so finding due work costs O(log n) per tenant due, not a scan of every pending row.
const COLUMNS = {
    status: 'status', reason: 'reason', attempts: 'attempts', nextAttemptAt: 'next_attempt_at',
    lastAttemptAt: 'last_attempt_at', deliveredAt: 'delivered_at', lastError: 'last_error',
};
export class SqliteOutboxStore {
    db;
    w;
    q;
    insertTx;
    /** UPDATE statements by the set of columns they change (prepared once each). */
    updates = new Map();
    constructor(db, w) {
        this.db = db;
        this.w = w;
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
            nextDue: db.prepare('SELECT MIN(next_attempt_at) AS at FROM event_outbox_heads WHERE next_attempt_at > ?'),
            makeDue: db.prepare(`UPDATE event_outbox SET next_attempt_at = ?
        WHERE account_id = ? AND env = ? AND status = 'pending' AND next_attempt_at > ?`),
            expire: db.prepare(`UPDATE event_outbox SET status = 'expired', reason = 'ttl', last_error = ?
        WHERE rowid IN (SELECT rowid FROM event_outbox WHERE status = 'pending' AND created_at < ? LIMIT ?)`),
            pruneDone: db.prepare(`DELETE FROM event_outbox WHERE rowid IN
        (SELECT rowid FROM event_outbox WHERE status IN (${DONE}) AND created_at < ? LIMIT ?)`),
            pruneBeyond: db.prepare(`DELETE FROM event_outbox WHERE rowid IN (${beyondLast('event_outbox', `AND r.status IN (${DONE})`)})`),
        };
        this.insertTx = db.transaction((e) => {
            const existing = this.q.get.get(e.tenant.accountId, e.tenant.env, e.event.id);
            if (existing)
                return { row: existing, created: false };
            const { seq } = this.q.nextSeq.get('event_outbox', e.tenant.accountId, e.tenant.env);
            const created = Date.parse(e.event.createdAt);
            this.q.insert.run({
                accountId: e.tenant.accountId, env: e.tenant.env, seq, id: e.event.id, type: e.event.event,
                payload: JSON.stringify(e.event), status: e.status, reason: e.reason ?? null, attempts: e.attempts,
                nextAttemptAt: e.nextAttemptAt, keyId: e.raisedBy.keyId, softwareHouseId: e.raisedBy.softwareHouseId,
                resellerId: e.raisedBy.resellerId ?? null, createdAt: Number.isFinite(created) ? created : e.nextAttemptAt,
            });
            return { row: this.q.get.get(e.tenant.accountId, e.tenant.env, e.event.id), created: true };
        });
    }
    async insert(entry) {
        const { row, created } = await this.w.write(() => this.insertTx.immediate(entry));
        return { entry: outboxFromRow(row), created };
    }
    async get(tenant, id) {
        const r = await this.w.read(() => this.q.get.get(tenant.accountId, tenant.env, id)); // committed rows only: a replay answers after the first raise's COMMIT
        return r && outboxFromRow(r);
    }
    async list(tenant, q) {
        const rows = (q.status
            ? this.q.listStatus.all(tenant.accountId, tenant.env, q.status, q.after ?? 0, q.limit)
            : this.q.list.all(tenant.accountId, tenant.env, q.after ?? 0, q.limit));
        return rows.map(outboxFromRow);
    }
    async dueHeads(now, limit) {
        return this.q.dueHeads.all(now, limit).map(outboxFromRow);
    }
    async nextDueAt(after) {
        const r = this.q.nextDue.get(after);
        return r.at ?? undefined;
    }
    async update(tenant, id, change) {
        const keys = Object.keys(change).sort();
        if (!keys.length)
            return false;
        const values = keys.map((k) => {
            const v = change[k];
            return v === undefined ? null : k === 'lastError' ? JSON.stringify(v) : v;
        });
        const sig = keys.join(',');
        let stmt = this.updates.get(sig);
        if (!stmt) {
            stmt = this.db.prepare(`UPDATE event_outbox SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')}
        WHERE account_id = ? AND env = ? AND id = ? AND (status = 'pending' OR (status = 'expired' AND ? = 1))`);
            this.updates.set(sig, stmt);
        }
        const toDelivered = change.status === 'delivered' ? 1 : 0;
        const s = stmt;
        return (await this.w.write(() => s.run(...values, tenant.accountId, tenant.env, id, toDelivered))).changes > 0;
    }
    async makeDue(tenant, now) {
        return (await this.w.write(() => this.q.makeDue.run(now, tenant.accountId, tenant.env, now))).changes;
    }
    async expirePending(before, lastError, limit) {
        const err = JSON.stringify(lastError);
        return (await this.w.write(() => this.q.expire.run(err, before, limit))).changes;
    }
    async pruneDone(before, limit) {
        return (await this.w.write(() => this.q.pruneDone.run(before, limit))).changes;
    }
    async pruneDoneBeyond(keep, limit) {
        return (await this.w.write(() => this.q.pruneBeyond.run({ keep, limit }))).changes;
    }
}
function eposEventFromRow(r) {
    return {
        tenant: { accountId: r.account_id, env: r.env },
        seq: r.seq,
        eventType: r.event_type,
        event: JSON.parse(r.event),
        receivedAt: r.received_at,
        keyId: r.key_id,
        softwareHouseId: r.software_house_id,
        ...(r.reseller_id !== null ? { resellerId: r.reseller_id } : {}),
    };
}
export class SqliteEposEventStore {
    w;
    q;
    appendTx;
    constructor(db, w) {
        this.w = w;
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
        this.appendTx = db.transaction((r) => {
            const { seq } = this.q.nextSeq.get('epos_events', r.tenant.accountId, r.tenant.env);
            this.q.insert.run({
                accountId: r.tenant.accountId, env: r.tenant.env, seq, eventType: r.eventType, event: JSON.stringify(r.event),
                receivedAt: r.receivedAt, keyId: r.keyId, softwareHouseId: r.softwareHouseId, resellerId: r.resellerId ?? null,
            });
            return seq;
        });
    }
    async append(rec) {
        return { ...rec, seq: await this.w.write(() => this.appendTx.immediate(rec)) };
    }
    async list(tenant, after, limit) {
        return this.q.list.all(tenant.accountId, tenant.env, after, limit).map(eposEventFromRow);
    }
    async pruneOlder(before, limit) {
        const iso = new Date(before).toISOString();
        return (await this.w.write(() => this.q.pruneOlder.run(iso, limit))).changes;
    }
    async pruneBeyond(keep, limit) {
        return (await this.w.write(() => this.q.pruneBeyond.run({ keep, limit }))).changes;
    }
}
