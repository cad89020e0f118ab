import type { Tenant } from '../../tenant.ts';
import type { IntegrationStore, StoredIntegration, TransportKind } from '../store.ts';
import type { Db, Writer } from './db.ts';

export interface IntegrationRow {
  account_id: string; env: Tenant['env']; transport: TransportKind; created_at: string; capabilities: string;
  rest_url: string | null; rest_base_url: string | null; rest_username: string | null; rest_password_enc: string | null;
  software_house_id: string; reseller_id: string | null;
}

export class SqliteIntegrationStore implements IntegrationStore {
  private readonly q;
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
    };
  }

  async get(tenant: Tenant, transport: TransportKind): Promise<StoredIntegration | undefined> {
    // The registry caches what it reads: only committed rows.
    const r = await this.w.read(() => this.q.get.get(tenant.accountId, tenant.env, transport) as IntegrationRow | undefined);
    return r && integrationFromRow(r);
  }

  async put(i: StoredIntegration): Promise<void> {
    await this.w.write(() => this.q.upsert.run({
      accountId: i.tenant.accountId, env: i.tenant.env, transport: i.transport, createdAt: i.createdAt,
      capabilities: JSON.stringify(i.capabilities),
      url: i.rest?.url ?? null, baseUrl: i.rest?.baseUrl ?? null, username: i.rest?.username ?? null,
      passwordEnc: i.rest?.passwordEnc ?? null,
      softwareHouseId: i.softwareHouseId, resellerId: i.resellerId ?? null,
    }));
  }

  async delete(tenant: Tenant, transport: TransportKind): Promise<void> {
    await this.w.write(() => this.q.delete.run(tenant.accountId, tenant.env, transport));
  }

  async ofTenants(tenants: readonly Tenant[]): Promise<StoredIntegration[]> {
    if (!tenants.length) return [];
    // One statement for the page, on the primary key (account_id, env, transport).
    const accounts = [...new Set(tenants.map((t) => t.accountId))];
    const rows = this.db.prepare(`SELECT * FROM integrations WHERE account_id IN (${accounts.map(() => '?').join(', ')})`).all(...accounts) as IntegrationRow[];
    return onlyTenants(rows.map(integrationFromRow), tenants);
  }
}

/** The integrations of exactly these tenants (a query by account also finds the account's other env). */
export function onlyTenants(list: StoredIntegration[], tenants: readonly Tenant[]): StoredIntegration[] {
  const wanted = new Set(tenants.map((t) => `${t.env}:${t.accountId}`));
  return list.filter((i) => wanted.has(`${i.tenant.env}:${i.tenant.accountId}`));
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
