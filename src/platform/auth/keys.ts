// Issuing, listing, revoking and checking API keys against the store.
import { randomBytes } from 'node:crypto';
import { PlatformError } from '../errors.ts';
import type { ApiKeyRecord, KeyStore } from '../store/store.ts';
import type { Caller, Environment } from '../tenant.ts';
import { generateKey, hashKey, keyHint, isWellFormedKey, parseAuthorization } from './apiKey.ts';

export class KeyService {
  constructor(private readonly keys: KeyStore, private readonly now: () => Date = () => new Date()) {}

  /** Creates a key; the plain key is returned once and never stored. */
  async create(accountId: string, env: Environment, opts: { label?: string; key?: string } = {}): Promise<{ key: string; record: ApiKeyRecord }> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(accountId)) {
      throw new PlatformError('BAD_REQUEST', 'account id must be 1-128 characters of letters, digits, ".", "_", ":" or "-"');
    }
    const key = opts.key ?? generateKey(env);
    if (opts.key !== undefined) {
      const wanted = env === 'sandbox' ? 'sk_sandbox_' : 'sk_prod_';
      if (!isWellFormedKey(key) || !key.startsWith(wanted)) {
        throw new PlatformError('BAD_REQUEST', `a supplied key must look like ${wanted}<at least 16 letters, digits, "_" or "-">`);
      }
    }
    const record: ApiKeyRecord = {
      id: 'key_' + randomBytes(6).toString('hex'),
      accountId,
      env,
      hash: hashKey(key),
      hint: keyHint(key),
      ...(opts.label ? { label: opts.label } : {}),
      createdAt: this.now().toISOString(),
    };
    const existing = await this.keys.findByHash(record.hash);
    if (existing) {
      if (existing.accountId === accountId && existing.env === env && !existing.revokedAt) return { key, record: existing };
      throw new PlatformError('BAD_REQUEST', 'that key is already in use');
    }
    await this.keys.insert(record);
    return { key, record };
  }

  list(accountId?: string): Promise<ApiKeyRecord[]> {
    return this.keys.list(accountId ? { accountId } : {});
  }

  revoke(id: string): Promise<boolean> {
    return this.keys.revoke(id, this.now().toISOString());
  }

  /** Checks the request's headers and says who is calling, or throws the 400/401 that says why not. */
  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<Caller> {
    const { key, env } = parseAuthorization(single(headers['authorization']));
    const rec = await this.keys.findByHash(hashKey(key));
    if (!rec) throw new PlatformError('UNKNOWN_API_KEY', 'Unknown API key: check that you copied the whole key');
    if (rec.revokedAt) throw new PlatformError('REVOKED_API_KEY', `This API key was revoked at ${rec.revokedAt}`);
    if (rec.env !== env) throw new PlatformError('UNKNOWN_API_KEY', 'Unknown API key: check that you copied the whole key');
    const softwareHouseId = single(headers['software-house-id'])?.trim();
    if (!softwareHouseId) {
      throw new PlatformError('MISSING_SOFTWARE_HOUSE_ID', 'Missing software-house-id header: it identifies the EPOS company and is required');
    }
    const resellerId = single(headers['reseller-id'])?.trim();
    return { accountId: rec.accountId, env: rec.env, keyId: rec.id, softwareHouseId, ...(resellerId ? { resellerId } : {}) };
  }
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
