import type { Environment } from '../../tenant.ts';
import type { Tenant } from '../../tenant.ts';
import type { ApiKeyRecord, KeyStore, TenantQuery, TenantSummary } from '../store.ts';
import type { Db, Writer } from './db.ts';

export interface KeyRow {
  id: string; account_id: string; env: Environment; hash: string; hint: string;
  label: string | null; created_at: string; revoked_at: string | null;
}

/** A row of api_keys as a record (the PostgreSQL store reads the same columns). */
export function keyFromRow(r: KeyRow): ApiKeyRecord {
  return {
    id: r.id, accountId: r.account_id, env: r.env, hash: r.hash, hint: r.hint,
    ...(r.label ? { label: r.label } : {}),
    createdAt: r.created_at,
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
  };
}

export class SqliteKeyStore implements KeyStore {
  private readonly q;
  constructor(db: Db, private readonly w: Writer) {
    this.q = {
      insert: db.prepare(`INSERT INTO api_keys (id, account_id, env, hash, hint, label, created_at)
                          VALUES (@id, @accountId, @env, @hash, @hint, @label, @createdAt)`),
      byHash: db.prepare('SELECT * FROM api_keys WHERE hash = ?'),
      all: db.prepare('SELECT * FROM api_keys ORDER BY created_at, id'),
      byAccount: db.prepare('SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at, id'),
      revoke: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      revokedSince: db.prepare('SELECT id, revoked_at FROM api_keys WHERE revoked_at >= ? ORDER BY revoked_at'),
      // Walks api_keys_tenant (account_id, env, revoked_at) in order: no sort, no table read.
      tenants: db.prepare(`SELECT account_id, env, SUM(CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END) AS keys
        FROM api_keys
        WHERE (account_id > @afterAccount OR (account_id = @afterAccount AND env > @afterEnv))
          AND (@pattern IS NULL OR lower(account_id) LIKE @pattern ESCAPE '\\')
        GROUP BY account_id, env ORDER BY account_id, env LIMIT @limit`),
      tenantExists: db.prepare('SELECT 1 FROM api_keys WHERE account_id = ? AND env = ? LIMIT 1'),
    };
  }

  async insert(rec: ApiKeyRecord): Promise<void> {
    await this.w.write(() => this.q.insert.run({ ...rec, label: rec.label ?? null }));
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    // A key whose insert may still fail to commit does not authenticate yet.
    const r = await this.w.read(() => this.q.byHash.get(hash) as KeyRow | undefined);
    return r && keyFromRow(r);
  }

  async list(filter: { accountId?: string } = {}): Promise<ApiKeyRecord[]> {
    const rows = await this.w.read(() => (filter.accountId ? this.q.byAccount.all(filter.accountId) : this.q.all.all()) as KeyRow[]);
    return rows.map(keyFromRow);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    return (await this.w.write(() => this.q.revoke.run(at, id))).changes === 1;
  }

  async revokedSince(since: string): Promise<{ id: string; revokedAt: string }[]> {
    return (this.q.revokedSince.all(since) as { id: string; revoked_at: string }[]).map((r) => ({ id: r.id, revokedAt: r.revoked_at }));
  }

  async tenants(q: TenantQuery): Promise<TenantSummary[]> {
    const rows = this.q.tenants.all({
      afterAccount: q.after?.accountId ?? '', afterEnv: q.after?.env ?? '', pattern: likePattern(q.search), limit: q.limit,
    }) as TenantRow[];
    return rows.map(tenantFromRow);
  }

  async tenantExists(t: Tenant): Promise<boolean> {
    return this.q.tenantExists.get(t.accountId, t.env) !== undefined;
  }
}

export interface TenantRow { account_id: string; env: Tenant['env']; keys: number | string }

export function tenantFromRow(r: TenantRow): TenantSummary {
  return { accountId: r.account_id, env: r.env, keys: Number(r.keys) };
}

/** `%q%`, lower-cased, with LIKE's own characters escaped (account ids may hold "_"); null for no search. */
export function likePattern(search: string | undefined): string | null {
  if (!search) return null;
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
