import type { Tenant } from '../../tenant.ts';
import type { IntegrationStore, StoredIntegration, TransportKind } from '../store.ts';
import { integrationFromRow, onlyTenants, type IntegrationRow } from '../sqlite/integrations.ts';
import type { Pg } from './db.ts';

export class PgIntegrationStore implements IntegrationStore {
  constructor(private readonly db: Pg) {}

  async get(tenant: Tenant, transport: TransportKind): Promise<StoredIntegration | undefined> {
    const [r] = await this.db.rows<IntegrationRow>('SELECT * FROM integrations WHERE account_id = $1 AND env = $2 AND transport = $3',
      [tenant.accountId, tenant.env, transport]);
    return r && integrationFromRow(r);
  }

  async put(i: StoredIntegration): Promise<void> {
    // One statement: the row is replaced whole, atomically.
    await this.db.count(`INSERT INTO integrations (account_id, env, transport, created_at, capabilities, rest_url,
        rest_base_url, rest_username, rest_password_enc, software_house_id, reseller_id)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      ON CONFLICT (account_id, env, transport) DO UPDATE SET created_at = excluded.created_at,
        capabilities = excluded.capabilities, rest_url = excluded.rest_url, rest_base_url = excluded.rest_base_url,
        rest_username = excluded.rest_username, rest_password_enc = excluded.rest_password_enc,
        software_house_id = excluded.software_house_id, reseller_id = excluded.reseller_id`,
    [i.tenant.accountId, i.tenant.env, i.transport, i.createdAt, JSON.stringify(i.capabilities), i.rest?.url ?? null,
      i.rest?.baseUrl ?? null, i.rest?.username ?? null, i.rest?.passwordEnc ?? null, i.softwareHouseId, i.resellerId ?? null]);
  }

  async delete(tenant: Tenant, transport: TransportKind): Promise<void> {
    await this.db.count('DELETE FROM integrations WHERE account_id = $1 AND env = $2 AND transport = $3',
      [tenant.accountId, tenant.env, transport]);
  }

  async ofTenants(tenants: readonly Tenant[]): Promise<StoredIntegration[]> {
    if (!tenants.length) return [];
    const accounts = [...new Set(tenants.map((t) => t.accountId))];
    const rows = await this.db.rows<IntegrationRow>('SELECT * FROM integrations WHERE account_id = ANY($1::text[])', [accounts]);
    return onlyTenants(rows.map(integrationFromRow), tenants);
  }
}
