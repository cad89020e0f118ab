import type { Tenant } from '../../tenant.ts';
import type { IntegrationStore, RegistrationChange, StoredIntegration, TransportKind } from '../store.ts';
import type { Db, Writer } from './db.ts';
import { NEXT_SEQ, beyondLast } from './events.ts';

export interface HistoryRow {
  account_id: string; env: Tenant['env']; seq: number; at: string; transport: TransportKind; capabilities: string;
  added: string; dropped: string; url: string | null; software_house_id: string; reseller_id: string | null;
  key_id: string; key_hint: string | null;
}

type Change = Omit<RegistrationChange, 'seq'>;

export interface IntegrationRow {
  account_id: string; env: Tenant['env']; transport: TransportKind; created_at: string; capabilities: string;
  rest_url: string | null; rest_base_url: string | null; rest_username: string | null; rest_password_enc: string | null;
  software_house_id: string; reseller_id: string | null;
}

export class SqliteIntegrationStore implements IntegrationStore {
  private readonly q;
  /** A registration write and its history row, in one transaction. */
  private readonly putTx;
  private readonly deleteTx;
  constructor(private readonly db: Db, private readonly w: Writer) {
    this.q = {
      get: db.prepare('SELECT * FROM integrations WHERE account_id = ? AND env = ? AND transport = ?'),
      upsert: db.prepare(`INSERT INTO integrations (account_id, env, transport, created_at, capabilities, rest_url,
          rest_base_url, rest_username, rest_password_enc, software_house_id, reseller_id)
        VALUES (@accountId, @env, @transport, @createdAt, @capabilities, @url, @baseUrl, @username, @passwordEnc,
          @softwareHouseId, @resellerId)
        ON CONFLICT (account_id, env, transport) DO UPDATE SET created_at = excluded.created_at,
          capabilities = excluded.capabilities, rest_url = excluded.rest_url, rest_base_url = excluded.rest_base_url,
          rest_username = excluded.rest_username, rest_password_enc = excluded.rest_password_enc,
          software_house_id = excluded.software_house_id, reseller_id = excluded.reseller_id`),
      delete: db.prepare('DELETE FROM integrations WHERE account_id = ? AND env = ? AND transport = ?'),
      nextSeq: db.prepare(NEXT_SEQ),
      insertHistory: db.prepare(`INSERT INTO integration_history (account_id, env, seq, at, transport, capabilities, added,
          dropped, url, software_house_id, reseller_id, key_id, key_hint)
        VALUES (@accountId, @env, @seq, @at, @transport, @capabilities, @added, @dropped, @url, @softwareHouseId,
          @resellerId, @keyId, @keyHint)`),
      history: db.prepare(`SELECT * FROM integration_history WHERE account_id = ? AND env = ? AND seq < ?
        ORDER BY seq DESC LIMIT ?`),
      pruneOlder: db.prepare(`DELETE FROM integration_history WHERE rowid IN
        (SELECT rowid FROM integration_history WHERE at < ? LIMIT ?)`),
      pruneBeyond: db.prepare(`DELETE FROM integration_history WHERE rowid IN (${beyondLast('integration_history')})`),
    };
    const append = (c: Change | undefined): number | undefined => {
      if (!c) return undefined;
      const { seq } = this.q.nextSeq.get('integration_history', c.tenant.accountId, c.tenant.env) as { seq: number };
      this.q.insertHistory.run(historyParams(c, seq));
      return seq;
    };
    this.putTx = db.transaction((i: StoredIntegration, c: Change | undefined) => {
      this.q.upsert.run(integrationParams(i));
      return append(c);
    });
    this.deleteTx = db.transaction((t: Tenant, transport: TransportKind, c: Change | undefined) => {
      this.q.delete.run(t.accountId, t.env, transport);
      return append(c);
    });
  }

  async get(tenant: Tenant, transport: TransportKind): Promise<StoredIntegration | undefined> {
    // The registry caches what it reads: only committed rows.
    const r = await this.w.read(() => this.q.get.get(tenant.accountId, tenant.env, transport) as IntegrationRow | undefined);
    return r && integrationFromRow(r);
  }

  async put(i: StoredIntegration, change?: Change): Promise<number | undefined> {
    return this.w.write(() => this.putTx.immediate(i, change));
  }

  async delete(tenant: Tenant, transport: TransportKind, change?: Change): Promise<number | undefined> {
    return this.w.write(() => this.deleteTx.immediate(tenant, transport, change));
  }

  async history(tenant: Tenant, q: { before?: number; limit: number }): Promise<RegistrationChange[]> {
    const rows = this.q.history.all(tenant.accountId, tenant.env, q.before ?? Number.MAX_SAFE_INTEGER, q.limit) as HistoryRow[];
    return rows.map(changeFromRow);
  }

  async pruneHistoryOlder(before: number, limit: number): Promise<number> {
    return (await this.w.write(() => this.q.pruneOlder.run(new Date(before).toISOString(), limit))).changes;
  }

  async pruneHistoryBeyond(keep: number, limit: number): Promise<number> {
    return (await this.w.write(() => this.q.pruneBeyond.run({ keep, limit }))).changes;
  }

  async capabilityNames(lists: number): Promise<string[]> {
    return namesOf(this.db.prepare('SELECT DISTINCT capabilities FROM integrations LIMIT ?').pluck().all(lists) as string[]);
  }

  async ofTenants(tenants: readonly Tenant[]): Promise<StoredIntegration[]> {
    if (!tenants.length) return [];
    // One statement for the page, on the primary key (account_id, env, transport).
    const accounts = [...new Set(tenants.map((t) => t.accountId))];
    const rows = this.db.prepare(`SELECT * FROM integrations WHERE account_id IN (${accounts.map(() => '?').join(', ')})`).all(...accounts) as IntegrationRow[];
    return onlyTenants(rows.map(integrationFromRow), tenants);
  }
}

function integrationParams(i: StoredIntegration) {
  return {
    accountId: i.tenant.accountId, env: i.tenant.env, transport: i.transport, createdAt: i.createdAt,
    capabilities: JSON.stringify(i.capabilities),
    url: i.rest?.url ?? null, baseUrl: i.rest?.baseUrl ?? null, username: i.rest?.username ?? null,
    passwordEnc: i.rest?.passwordEnc ?? null,
    softwareHouseId: i.softwareHouseId, resellerId: i.resellerId ?? null,
  };
}

/** A history row's columns by name (the PostgreSQL store binds the same values by position). */
export function historyParams(c: Change, seq: number) {
  return {
    accountId: c.tenant.accountId, env: c.tenant.env, seq, at: c.at, transport: c.transport,
    capabilities: JSON.stringify(c.capabilities), added: JSON.stringify(c.added), dropped: JSON.stringify(c.dropped),
    url: c.url ?? null, softwareHouseId: c.softwareHouseId, resellerId: c.resellerId ?? null,
    keyId: c.keyId, keyHint: c.keyHint ?? null,
  };
}

export function changeFromRow(r: HistoryRow): RegistrationChange {
  return {
    tenant: { accountId: r.account_id, env: r.env },
    seq: Number(r.seq),
    at: r.at,
    transport: r.transport,
    capabilities: JSON.parse(r.capabilities) as string[],
    added: JSON.parse(r.added) as string[],
    dropped: JSON.parse(r.dropped) as string[],
    ...(r.url !== null ? { url: r.url } : {}),
    softwareHouseId: r.software_house_id,
    ...(r.reseller_id !== null ? { resellerId: r.reseller_id } : {}),
    keyId: r.key_id,
    ...(r.key_hint !== null ? { keyHint: r.key_hint } : {}),
  };
}

/** The integrations of exactly these tenants (a query by account also finds the account's other env). */
export function onlyTenants(list: StoredIntegration[], tenants: readonly Tenant[]): StoredIntegration[] {
  const wanted = new Set(tenants.map((t) => `${t.env}:${t.accountId}`));
  return list.filter((i) => wanted.has(`${i.tenant.env}:${i.tenant.accountId}`));
}

/** The names in stored capability lists (the `capabilities` column's JSON), each once. */
export function namesOf(lists: readonly string[]): string[] {
  const names = new Set<string>();
  for (const list of lists) for (const c of JSON.parse(list) as { name: string }[]) names.add(c.name);
  return [...names];
}

/** A row of integrations as a stored integration (the PostgreSQL store reads the same columns). */
export function integrationFromRow(r: IntegrationRow): StoredIntegration {
  return {
    tenant: { accountId: r.account_id, env: r.env },
    transport: r.transport,
    createdAt: r.created_at,
    capabilities: JSON.parse(r.capabilities),
    ...(r.rest_url !== null
      ? { rest: { url: r.rest_url, baseUrl: r.rest_base_url!, username: r.rest_username!, passwordEnc: r.rest_password_enc! } }
      : {}),
    softwareHouseId: r.software_house_id,
    ...(r.reseller_id !== null ? { resellerId: r.reseller_id } : {}),
  };
}
