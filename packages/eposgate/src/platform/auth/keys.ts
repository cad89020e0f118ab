// Issuing, listing, revoking and checking API keys against the store.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { PlatformError } from '../errors.ts';
import type { ApiKeyRecord, KeyStore } from '../store/store.ts';
import type { Caller, Environment } from '../tenant.ts';
import { generateKey, hashKey, keyHint, isWellFormedKey, parseAuthorization } from './apiKey.ts';

/** What an account id may be: 1-128 letters, digits, ".", "_", ":" or "-". */
export const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export interface KeyCacheOptions {
  /** How long a looked-up key is trusted without reading the store again. Default 1000 ms; 0 turns the cache off. */
  ttlMs?: number;
  /** Most keys remembered at once. Default 10,000. */
  max?: number;
}

/**
 * Every API request and every EPOS upgrade authenticates: a small cache spares the store read
 * (BENCHMARKS.md). Only live keys are cached, for at most `ttlMs`; a revoke through this service
 * drops the key at once, and a revoke by another process (`eposgate keys revoke`) is seen within
 * `ttlMs`. Entries are keyed by the Authorization header as sent, so a plain key stays in memory
 * up to `ttlMs` after its last request (never on disk: the store keeps hashes only).
 */
class KeyCache {
  private readonly entries = new Map<string, { rec: ApiKeyRecord; until: number }>();
  constructor(private readonly ttlMs: number, private readonly max: number) {}

  get(header: string): ApiKeyRecord | undefined {
    const e = this.entries.get(header);
    if (!e) return undefined;
    if (e.until > performance.now()) return e.rec;
    this.entries.delete(header);
    return undefined;
  }

  set(header: string, rec: ApiKeyRecord): void {
    if (this.ttlMs <= 0) return;
    const now = performance.now();
    // Entries are inserted in expiry order: drop the expired ones at the front, then the oldest
    // beyond `max`.
    for (const [h, e] of this.entries) {
      if (e.until > now && this.entries.size < this.max) break;
      this.entries.delete(h);
    }
    this.entries.delete(header);
    this.entries.set(header, { rec, until: now + this.ttlMs });
  }

  forget(keyId: string): void {
    for (const [h, e] of this.entries) if (e.rec.id === keyId) this.entries.delete(h);
  }
}

export interface KeyEvents {
  /**
   * A key was revoked, here, by another process (seen by watchRevocations) or on another cluster
   * node (`peer`): what it opened must close.
   */
  revoked: [keyId: string, origin: 'here' | 'store' | 'peer'];
}

/** Longest Authorization header the key cache keeps (a generated key's is 49 characters). */
const MAX_CACHED_HEADER = 256;

export class KeyService extends EventEmitter<KeyEvents> {
  private readonly cache: KeyCache;
  private watchTimer?: NodeJS.Timeout;
  private readonly announced = new Set<string>();

  constructor(private readonly keys: KeyStore, private readonly now: () => Date = () => new Date(), cache: KeyCacheOptions = {}) {
    super();
    this.cache = new KeyCache(cache.ttlMs ?? 1000, cache.max ?? 10_000);
  }

  /**
   * Looks every `everyMs` for keys revoked by another process (the CLI writes the store directly)
   * and announces each once, so sockets and streams opened with it close within that period.
   */
  watchRevocations(everyMs: number): void {
    if (this.watchTimer) return;
    // Clocks of two processes on one host agree; a little slack covers a write that lands late.
    let since = new Date(this.now().getTime() - 5000).toISOString();
    let polling = false;
    this.watchTimer = setInterval(() => {
      if (polling) return;
      polling = true;
      const next = new Date(this.now().getTime() - 5000).toISOString();
      this.keys.revokedSince(since)
        .then((rows) => {
          since = next;
          for (const r of rows) this.announce(r.id, 'store');
        })
        .catch(() => { /* the store is closing or busy: the next tick looks again */ })
        .finally(() => { polling = false; });
    }, everyMs);
    this.watchTimer.unref();
  }

  stopWatching(): void {
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }

  /** Another cluster node revoked `keyId`: drop it from the cache now rather than after its TTL. */
  revokedByPeer(keyId: string): void {
    this.announce(keyId, 'peer');
  }

  private announce(keyId: string, origin: KeyEvents['revoked'][1]): void {
    this.cache.forget(keyId);
    if (this.announced.has(keyId)) return;
    this.announced.add(keyId);
    if (this.announced.size > 100_000) this.announced.clear();
    this.emit('revoked', keyId, origin);
  }

  /** Creates a key; the plain key is returned once and never stored. */
  async create(accountId: string, env: Environment, opts: { label?: string; key?: string } = {}): Promise<{ key: string; record: ApiKeyRecord }> {
    if (!ACCOUNT_ID.test(accountId)) {
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

  async revoke(id: string): Promise<boolean> {
    this.cache.forget(id);
    const done = await this.keys.revoke(id, this.now().toISOString());
    this.cache.forget(id);
    if (done) this.announce(id, 'here');
    return done;
  }

  /** Checks the request's headers and says who is calling, or throws the 400/401 that says why not. */
  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<Caller> {
    const header = single(headers['authorization']);
    // The cache is keyed by the header as sent: a key used within the TTL costs no parse and no
    // SHA-256 (~1 µs of every request in B2). Only a header that passed every check below is
    // cached, and only a short one: a valid key padded with whitespace up to Node's 16 KB header
    // limit, in a new way each time, must not fill the cache's 10,000 entries with 160 MB.
    const cacheable = header !== undefined && header.length <= MAX_CACHED_HEADER;
    let rec = cacheable ? this.cache.get(header) : undefined;
    if (!rec) {
      const { key, env } = parseAuthorization(header);
      rec = await this.keys.findByHash(hashKey(key));
      if (!rec) throw new PlatformError('UNKNOWN_API_KEY', 'Unknown API key: check that you copied the whole key');
      if (rec.revokedAt) throw new PlatformError('REVOKED_API_KEY', `This API key was revoked at ${rec.revokedAt}`);
      if (rec.env !== env) throw new PlatformError('UNKNOWN_API_KEY', 'Unknown API key: check that you copied the whole key');
      if (cacheable) this.cache.set(header, rec);
    }
    return callerOf(rec, headers);
  }

  /**
   * authenticate() without waiting, when the Authorization header is a key cached within its TTL;
   * otherwise undefined (ask authenticate). Throws what authenticate would for the other headers.
   */
  authenticateNow(headers: Record<string, string | string[] | undefined>): Caller | undefined {
    const header = single(headers['authorization']);
    const rec = header !== undefined && header.length <= MAX_CACHED_HEADER ? this.cache.get(header) : undefined;
    return rec && callerOf(rec, headers);
  }
}

/** The caller a live key's record and the request's other headers make. */
function callerOf(rec: ApiKeyRecord, headers: Record<string, string | string[] | undefined>): Caller {
  const softwareHouseId = single(headers['software-house-id'])?.trim();
  if (!softwareHouseId) {
    throw new PlatformError('MISSING_SOFTWARE_HOUSE_ID', 'Missing software-house-id header: it identifies the EPOS company and is required');
  }
  const resellerId = single(headers['reseller-id'])?.trim();
  // No spread in the literal: V8 would define the properties after it one by one, on every request.
  const caller: Caller = { accountId: rec.accountId, env: rec.env, keyId: rec.id, keyHint: rec.hint, softwareHouseId };
  if (resellerId) caller.resellerId = resellerId;
  return caller;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
