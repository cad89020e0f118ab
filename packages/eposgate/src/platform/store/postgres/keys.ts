import type { ApiKeyRecord, KeyStore } from '../store.ts';
import { keyFromRow, type KeyRow } from '../sqlite/keys.ts';
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
}
