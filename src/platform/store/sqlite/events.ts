// SQLite sub-stores of src/platform/events: the outbox (events for EPOSes) and the events EPOSes
// submit. Both number rows per tenant (seq from 1), so a tenant's cursors reveal nothing of others.
import type { Tenant } from '../../tenant.ts';
import type {
  DeliveryStatus, EposEventRecord, EposEventStore, OutboxChange, OutboxEntry, OutboxStore,
} from '../store.ts';
import type { Db, Writer } from './db.ts';

interface OutboxRow {
  account_id: string; env: Tenant['env']; seq: number; id: string; type: string; payload: string;
  status: DeliveryStatus; reason: string | null; attempts: number; next_attempt_at: number;
  last_attempt_at: string | null; delivered_at: string | null; last_error: string | null;
  key_id: string; software_house_id: string; reseller_id: string | null;
}

function outboxFromRow(r: OutboxRow): OutboxEntry {
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

/** The oldest pending row of each tenant (the only one the worker may deliver). */
const HEAD = `o.status = 'pending' AND o.seq = (SELECT MIN(i.seq) FROM event_outbox i
  WHERE i.account_id = o.account_id AND i.env = o.env AND i.status = 'pending')`;

const COLUMNS: Record<keyof OutboxChange, string> = {
  status: 'status', reason: 'reason', attempts: 'attempts', nextAttemptAt: 'next_attempt_at',
  lastAttemptAt: 'last_attempt_at', deliveredAt: 'delivered_at', lastError: 'last_error',
};

export class SqliteOutboxStore implements OutboxStore {
  private readonly q;
  private readonly insertTx;
  constructor(private readonly db: Db, private readonly w: Writer) {
    this.q = {
      get: db.prepare('SELECT * FROM event_outbox WHERE account_id = ? AND env = ? AND id = ?'),
      nextSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM event_outbox WHERE account_id = ? AND env = ?'),
      insert: db.prepare(`INSERT INTO event_outbox (account_id, env, seq, id, type, payload, status, reason, attempts,
          next_attempt_at, last_attempt_at, delivered_at, last_error, key_id, software_house_id, reseller_id)
        VALUES (@accountId, @env, @seq, @id, @type, @payload, @status, @reason, @attempts, @nextAttemptAt, NULL, NULL, NULL,
          @keyId, @softwareHouseId, @resellerId)`),
      list: db.prepare(`SELECT * FROM event_outbox WHERE account_id = ? AND env = ? AND seq > ? ORDER BY seq LIMIT ?`),
      listStatus: db.prepare(`SELECT * FROM event_outbox WHERE account_id = ? AND env = ? AND status = ? AND seq > ?
        ORDER BY seq LIMIT ?`),
      dueHeads: db.prepare(`SELECT o.* FROM event_outbox o WHERE ${HEAD} AND o.next_attempt_at <= ?
        ORDER BY o.next_attempt_at, o.rowid LIMIT ?`),
      nextDue: db.prepare(`SELECT MIN(o.next_attempt_at) AS at FROM event_outbox o WHERE ${HEAD} AND o.next_attempt_at > ?`),
      makeDue: db.prepare(`UPDATE event_outbox SET next_attempt_at = ?
        WHERE account_id = ? AND env = ? AND status = 'pending' AND next_attempt_at > ?`),
    };
    this.insertTx = db.transaction((e: Omit<OutboxEntry, 'seq'>): { row: OutboxRow; created: boolean } => {
      const existing = this.q.get.get(e.tenant.accountId, e.tenant.env, e.event.id) as OutboxRow | undefined;
      if (existing) return { row: existing, created: false };
      const { seq } = this.q.nextSeq.get(e.tenant.accountId, e.tenant.env) as { seq: number };
      this.q.insert.run({
        accountId: e.tenant.accountId, env: e.tenant.env, seq, id: e.event.id, type: e.event.event,
        payload: JSON.stringify(e.event), status: e.status, reason: e.reason ?? null, attempts: e.attempts,
        nextAttemptAt: e.nextAttemptAt, keyId: e.raisedBy.keyId, softwareHouseId: e.raisedBy.softwareHouseId,
        resellerId: e.raisedBy.resellerId ?? null,
      });
      return { row: this.q.get.get(e.tenant.accountId, e.tenant.env, e.event.id) as OutboxRow, created: true };
    });
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

  async nextDueAt(after: number): Promise<number | undefined> {
    const r = this.q.nextDue.get(after) as { at: number | null };
    return r.at ?? undefined;
  }

  async update(tenant: Tenant, id: string, change: OutboxChange): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [k, v] of Object.entries(change) as [keyof OutboxChange, unknown][]) {
      sets.push(`${COLUMNS[k]} = ?`);
      values.push(v === undefined ? null : k === 'lastError' ? JSON.stringify(v) : v);
    }
    if (!sets.length) return;
    const stmt = this.db.prepare(`UPDATE event_outbox SET ${sets.join(', ')} WHERE account_id = ? AND env = ? AND id = ?`);
    await this.w.write(() => stmt.run(...values, tenant.accountId, tenant.env, id));
  }

  async makeDue(tenant: Tenant, now: number): Promise<number> {
    return (await this.w.write(() => this.q.makeDue.run(now, tenant.accountId, tenant.env, now))).changes;
  }
}

interface EposEventRow {
  account_id: string; env: Tenant['env']; seq: number; event_type: string; event: string; received_at: string;
  key_id: string; software_house_id: string; reseller_id: string | null;
}

function eposEventFromRow(r: EposEventRow): EposEventRecord {
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

export class SqliteEposEventStore implements EposEventStore {
  private readonly q;
  private readonly appendTx;
  constructor(db: Db, private readonly w: Writer) {
    this.q = {
      nextSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM epos_events WHERE account_id = ? AND env = ?'),
      insert: db.prepare(`INSERT INTO epos_events (account_id, env, seq, event_type, event, received_at, key_id,
          software_house_id, reseller_id)
        VALUES (@accountId, @env, @seq, @eventType, @event, @receivedAt, @keyId, @softwareHouseId, @resellerId)`),
      list: db.prepare('SELECT * FROM epos_events WHERE account_id = ? AND env = ? AND seq > ? ORDER BY seq LIMIT ?'),
    };
    this.appendTx = db.transaction((r: Omit<EposEventRecord, 'seq'>): number => {
      const { seq } = this.q.nextSeq.get(r.tenant.accountId, r.tenant.env) as { seq: number };
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
}
