import type { Tenant } from '../../tenant.ts';
import type { IntegrationStore, RegistrationChange, StoredIntegration, TransportKind } from '../store.ts';
import { changeFromRow, historyParams, integrationFromRow, namesOf, onlyTenants, type HistoryRow, type IntegrationRow } from '../sqlite/integrations.ts';
import type { Pg, Queryable } from './db.ts';
import { beyondLast, nextSeq } from './events.ts';

type Change = Omit<RegistrationChange, 'seq'>;

export class PgIntegrationStore implements IntegrationStore {
  constructor(private readonly db: Pg) {}

  async get(tenant: Tenant, transport: TransportKind): Promise<StoredIntegration | undefined> {
    const [r] = await this.db.rows<IntegrationRow>('SELECT * FROM integrations WHERE account_id = $1 AND env = $2 AND transport = $3',
      [tenant.accountId, tenant.env, transport]);
    return r && integrationFromRow(r);
  }

  async put(i: StoredIntegration, change?: Change): Promise<number | undefined> {
    const upsert = (q: Queryable) => q.count(`INSERT INTO integrations (account_id, env, transport, created_at, capabilities, rest_url,
        rest_base_url, rest_username, rest_password_enc, software_house_id, reseller_id)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      ON CONFLICT (account_id, env, transport) DO UPDATE SET created_at = excluded.created_at,
        capabilities = excluded.capabilities, rest_url = excluded.rest_url, rest_base_url = excluded.rest_base_url,
        rest_username = excluded.rest_username, rest_password_enc = excluded.rest_password_enc,
        software_house_id = excluded.software_house_id, reseller_id = excluded.reseller_id`,
    [i.tenant.accountId, i.tenant.env, i.transport, i.createdAt, JSON.stringify(i.capabilities), i.rest?.url ?? null,
      i.rest?.baseUrl ?? null, i.rest?.username ?? null, i.rest?.passwordEnc ?? null, i.softwareHouseId, i.resellerId ?? null]);
    return this.withChange(upsert, change);
  }

  async delete(tenant: Tenant, transport: TransportKind, change?: Change): Promise<number | undefined> {
    const del = (q: Queryable) => q.count('DELETE FROM integrations WHERE account_id = $1 AND env = $2 AND transport = $3',
      [tenant.accountId, tenant.env, transport]);
    return this.withChange(del, change);
  }

  /**
   * `write` alone when there is no change to record (one statement: atomic by itself); else `write`
   * and the history row in one transaction. Answers the change's seq.
   */
  private async withChange(write: (q: Queryable) => Promise<unknown>, change?: Change): Promise<number | undefined> {
    if (!change) {
      await write(this.db);
      return undefined;
    }
    return this.db.tx(async (q) => {
      await write(q);
      return append(q, change);
    });
  }

  async history(tenant: Tenant, q: { before?: number; limit: number }): Promise<RegistrationChange[]> {
    const rows = await this.db.rows<HistoryRow>(`SELECT * FROM integration_history WHERE account_id = $1 AND env = $2 AND seq < $3
      ORDER BY seq DESC LIMIT $4`, [tenant.accountId, tenant.env, q.before ?? Number.MAX_SAFE_INTEGER, q.limit]);
    return rows.map(changeFromRow);
  }

  async pruneHistoryOlder(before: number, limit: number): Promise<number> {
    return this.db.count(`DELETE FROM integration_history WHERE (account_id, env, seq) IN (SELECT account_id, env, seq
      FROM integration_history WHERE at < $1 LIMIT $2)`, [new Date(before).toISOString(), limit]);
  }

  async pruneHistoryBeyond(keep: number, limit: number): Promise<number> {
    return this.db.count(`DELETE FROM integration_history WHERE (account_id, env, seq) IN (${beyondLast('integration_history')})`, [keep, limit]);
  }

  async capabilityNames(lists: number): Promise<string[]> {
    const rows = await this.db.rows<{ capabilities: string }>('SELECT DISTINCT capabilities FROM integrations LIMIT $1', [lists]);
    return namesOf(rows.map((r) => r.capabilities));
  }

  async ofTenants(tenants: readonly Tenant[]): Promise<StoredIntegration[]> {
    if (!tenants.length) return [];
    const accounts = [...new Set(tenants.map((t) => t.accountId))];
    const rows = await this.db.rows<IntegrationRow>('SELECT * FROM integrations WHERE account_id = ANY($1::text[])', [accounts]);
    return onlyTenants(rows.map(integrationFromRow), tenants);
  }
}

/** Appends the history row; its seq comes from the tenant's row of tenant_seqs, locked until commit. */
async function append(q: Queryable, c: Change): Promise<number> {
  const seq = await nextSeq(q, 'integration_history', c.tenant);
  const p = historyParams(c, seq);
  await q.count(`INSERT INTO integration_history (account_id, env, seq, at, transport, capabilities, added, dropped, url,
      software_house_id, reseller_id, key_id, key_hint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
  [p.accountId, p.env, p.seq, p.at, p.transport, p.capabilities, p.added, p.dropped, p.url, p.softwareHouseId, p.resellerId, p.keyId, p.keyHint]);
  return seq;
}
