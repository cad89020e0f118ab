import type { Tenant } from '../../tenant.ts';
import type { ApiKeyRecord, KeyStore, TenantQuery, TenantSummary } from '../store.ts';
import { keyFromRow, likePattern, tenantFromRow, type KeyRow, type TenantRow } from '../sqlite/keys.ts';
import type { Pg } from './db.ts';

export class PgKeyStore implements KeyStore {
  constructor(private readonly db: Pg) {}

  async insert(rec: ApiKeyRecord): Promise<void> {
    await this.db.count(`INSERT INTO api_keys (id, account_id, env, hash, hint, label, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)`, [rec.id, rec.accountId, rec.env, rec.hash, rec.hint, rec.label ?? null, rec.createdAt]);
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const [r] = await this.db.rows<KeyRow>('SELECT * FROM api_keys WHERE hash = $1', [hash]);
    return r && keyFromRow(r);
  }

  async list(filter: { accountId?: string } = {}): Promise<ApiKeyRecord[]> {
    const rows = filter.accountId
      ? await this.db.rows<KeyRow>('SELECT * FROM api_keys WHERE account_id = $1 ORDER BY created_at, id', [filter.accountId])
      : await this.db.rows<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id');
    return rows.map(keyFromRow);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    return (await this.db.count('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id])) === 1;
  }

  async revokedSince(since: string): Promise<{ id: string; revokedAt: string }[]> {
    const rows = await this.db.rows<{ id: string; revoked_at: string }>(
      'SELECT id, revoked_at FROM api_keys WHERE revoked_at >= $1 ORDER BY revoked_at', [since]);
    return rows.map((r) => ({ id: r.id, revokedAt: r.revoked_at }));
  }

  async tenants(q: TenantQuery): Promise<TenantSummary[]> {
    // COLLATE "C": byte order, as SQLite's, whatever the database's collation (and the index's).
    const rows = await this.db.rows<TenantRow>(`SELECT account_id, env, SUM(CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END) AS keys
      FROM api_keys
      WHERE ((account_id COLLATE "C") > $1 OR ((account_id COLLATE "C") = $1 AND env > $2))
        AND ($3::text IS NULL OR lower(account_id) LIKE $3 ESCAPE '\\')
      GROUP BY (account_id COLLATE "C"), account_id, env ORDER BY (account_id COLLATE "C"), env LIMIT $4`,
    [q.after?.accountId ?? '', q.after?.env ?? '', likePattern(q.search), q.limit]);
    return rows.map(tenantFromRow);
  }

  async tenantExists(t: Tenant): Promise<boolean> {
    const rows = await this.db.rows('SELECT 1 FROM api_keys WHERE account_id = $1 AND env = $2 LIMIT 1', [t.accountId, t.env]);
    return rows.length > 0;
  }
}
