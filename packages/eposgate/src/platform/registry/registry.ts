// Capability registrations per tenant and transport: full replace on every PUT, persisted, and
// cached in memory because every call on the hot path asks "is this registered, and where?".
import type { Capability, CapabilityName } from '@eposgate/contract';
import { PlatformError, validationFailed } from '../errors.ts';
import type { SecretBox } from '../auth/secrets.ts';
import type { IntegrationStore, RegistrationChange, StoredCapability, StoredIntegration, TransportKind } from '../store/store.ts';
import { tenantKey, type Caller, type Tenant } from '../tenant.ts';
import { checkRegistration, VERSION, type RegistrationBody, type RegistrationRequest } from './body.ts';
import { restBaseUrl } from './restUrl.ts';

export interface IntegrationView {
  createdAt: string;
  capabilities: { name: string; version: string; updatedAt: string }[];
  url?: string;
  auth?: { authType: 'basic'; basic: { username: string } };
}

export interface RestTarget {
  baseUrl: string;
  username: string;
  password: string;
}

export interface PutResult {
  integrations: IntegrationView[];
  /** Preview capabilities that were accepted: the caller shows a warning. */
  previews: string[];
  /** Capabilities the previous registration of this transport had and this one does not. */
  dropped: string[];
}

interface TenantEntry {
  ws?: StoredIntegration;
  rest?: StoredIntegration;
  wsNames: Set<string>;
  restNames: Set<string>;
  /** The decrypted REST target, made on the first call (not on every call: B5 in BENCHMARKS.md). */
  restTarget?: RestTarget;
}

export class Registry {
  private readonly cache = new Map<string, Promise<TenantEntry>>();
  /**
   * What each cached promise resolved to, so a call finds its transports without awaiting: three
   * promises and their microtasks less on every call (B2). Keyed by the promise, not the tenant, so
   * it answers exactly what awaiting the cached promise would.
   */
  private readonly settled = new WeakMap<Promise<TenantEntry>, TenantEntry>();
  /** When each cached entry was read from the store (only kept when entries expire). */
  private readonly loadedAt = new Map<string, number>();
  private cacheTtlMs = Infinity;
  private readonly changeListeners: ((tenant: Tenant) => void)[] = [];

  constructor(
    private readonly store: IntegrationStore,
    private readonly secrets: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Stores a registration whose body passed its route schema (registrationSchema). */
  async put(caller: Caller, transport: TransportKind, body: RegistrationBody): Promise<PutResult> {
    const req = checkRegistration(body);
    const tenant: Tenant = { accountId: caller.accountId, env: caller.env };
    let baseUrl: string | undefined;
    if (req.rest) {
      const r = restBaseUrl(req.rest.url, tenant.env);
      if ('issue' in r) throw validationFailed([r.issue]);
      baseUrl = r.baseUrl;
    }
    const key = tenantKey(tenant);
    // The cached entry is what the store holds: every write goes through here.
    const before = (await this.entry(tenant))[transport];
    const at = this.now().toISOString();
    const beforeNames = before?.capabilities.map((c) => c.name) ?? [];
    const names: string[] = req.capabilities.map((c) => c.capability.name);
    const dropped = beforeNames.filter((n) => !names.includes(n));
    // The history row of this change; none when nothing was registered and nothing is.
    const change = (url?: string): Omit<RegistrationChange, 'seq'> => ({
      tenant, at, transport, capabilities: names, added: names.filter((n) => !beforeNames.includes(n)), dropped,
      ...(url !== undefined ? { url } : {}),
      softwareHouseId: caller.softwareHouseId, ...(caller.resellerId ? { resellerId: caller.resellerId } : {}),
      keyId: caller.keyId, ...(caller.keyHint ? { keyHint: caller.keyHint } : {}),
    });
    let after: StoredIntegration | undefined;
    if (req.capabilities.length === 0) {
      await this.store.delete(tenant, transport, before ? change() : undefined);
    } else {
      const kept = new Map(before?.capabilities.map((c) => [c.name, c]) ?? []);
      const capabilities = req.capabilities.map(({ capability }) => ({
        name: capability.name,
        version: VERSION,
        updatedAt: kept.get(capability.name)?.updatedAt ?? at,
      }));
      // EPOSes re-register the same list on every start: an unchanged registration is not rewritten.
      if (before && this.unchanged(before, capabilities, caller, req.rest)) {
        return { integrations: [view(before)], previews: previewsOf(req), dropped: [] };
      }
      const next: StoredIntegration = {
        tenant,
        transport,
        createdAt: before?.createdAt ?? at,
        capabilities,
        softwareHouseId: caller.softwareHouseId,
        ...(caller.resellerId ? { resellerId: caller.resellerId } : {}),
        ...(req.rest
          ? { rest: { url: req.rest.url, baseUrl: baseUrl!, username: req.rest.username, passwordEnc: this.secrets.seal(req.rest.password) } }
          : {}),
      };
      await this.store.put(next, change(req.rest?.url));
      after = next;
    }
    // Update the cached entry from what was written, chained on the latest one so concurrent
    // PUTs of the other transport are kept (B6 in BENCHMARKS.md: no re-reading after a write).
    const cached = this.cache.get(key);
    if (cached) {
      this.remember(key, cached.then((e) => withTransport(e, transport, after)));
    }
    for (const l of this.changeListeners) l(tenant);
    return { integrations: after ? [view(after)] : [], previews: previewsOf(req), dropped };
  }

  /** The tenant's registration changes, newest first (seq below `before` when given). */
  history(tenant: Tenant, q: { before?: number; limit: number }): Promise<RegistrationChange[]> {
    return this.store.history({ accountId: tenant.accountId, env: tenant.env }, q);
  }

  /** Same capabilities in the same order, same caller ids, same REST target and credentials. */
  private unchanged(before: StoredIntegration, capabilities: StoredCapability[], caller: Caller, rest: RegistrationRequest['rest']): boolean {
    if (before.softwareHouseId !== caller.softwareHouseId || before.resellerId !== caller.resellerId) return false;
    if (before.capabilities.length !== capabilities.length) return false;
    if (before.capabilities.some((c, i) => c.name !== capabilities[i]!.name || c.version !== capabilities[i]!.version)) return false;
    if (!before.rest || !rest) return !before.rest && !rest;
    // A password sealed under an earlier secret key does not open: that is a change, so the PUT
    // re-seals it under the current key (the repair for a changed EPOSGATE_SECRET_KEY).
    return before.rest.url === rest.url && before.rest.username === rest.username && this.secrets.tryOpen(before.rest.passwordEnc) === rest.password;
  }

  async list(tenant: Tenant, transport: TransportKind): Promise<IntegrationView[]> {
    const e = await this.entry(tenant);
    const i = e[transport];
    return i ? [view(i)] : [];
  }

  /** Every capability the tenant registered, on either transport. */
  async registeredNames(tenant: Tenant): Promise<string[]> {
    const e = await this.entry(tenant);
    return [...new Set([...e.wsNames, ...e.restNames])];
  }

  /** Which transports the tenant registered this capability on. */
  async transportsFor(tenant: Tenant, capability: Capability | CapabilityName): Promise<{ ws: boolean; rest: boolean }> {
    const name = typeof capability === 'string' ? capability : capability.name;
    const e = await this.entry(tenant);
    return { ws: e.wsNames.has(name), rest: e.restNames.has(name) };
  }

  /**
   * transportsFor() without waiting, when the tenant's entry is cached and read; otherwise
   * undefined (ask transportsFor, which reads the store).
   */
  transportsForNow(tenant: Tenant, capability: Capability): { ws: boolean; rest: boolean } | undefined {
    const p = this.cached(tenantKey(tenant));
    const e = p && this.settled.get(p);
    return e && { ws: e.wsNames.has(capability.name), rest: e.restNames.has(capability.name) };
  }

  /**
   * Where and how to reach the tenant's REST EPOS; the password is decrypted only here. A password
   * the current secret key cannot open is SECRET_UNREADABLE, which says how to repair it.
   */
  async restTarget(tenant: Tenant): Promise<RestTarget | undefined> {
    const e = await this.entry(tenant);
    const r = e.rest?.rest;
    if (!r) return undefined;
    if (!e.restTarget) {
      const password = this.secrets.tryOpen(r.passwordEnc);
      if (password === undefined) {
        throw new PlatformError('SECRET_UNREADABLE',
          'the stored password of this REST integration cannot be decrypted: the platform\'s secret key (EPOSGATE_SECRET_KEY) changed since it was registered. ' +
          'Register the REST integration again (PUT /epos/integrations/rest with its url, username and password) to repair it');
      }
      e.restTarget = { baseUrl: r.baseUrl, username: r.username, password };
    }
    return e.restTarget;
  }

  /**
   * Cluster: another node may write the store, so a cached entry is read again after `ms` (the
   * fallback when an invalidation message is lost). Single node: entries never expire.
   */
  expireCacheAfter(ms: number): void {
    this.cacheTtlMs = ms;
  }

  /** Forgets the cached entry: another node changed the tenant's registration. */
  invalidate(tenant: Tenant): void {
    const key = tenantKey(tenant);
    this.cache.delete(key);
    this.loadedAt.delete(key);
  }

  /** Called after each registration this registry writes (to tell the other nodes). */
  onChange(listener: (tenant: Tenant) => void): void {
    this.changeListeners.push(listener);
  }

  /** Caches `p` as the tenant's entry; forgotten if it fails. */
  private remember(key: string, p: Promise<TenantEntry>): void {
    p.then((e) => this.settled.set(p, e), () => { if (this.cache.get(key) === p) this.cache.delete(key); });
    this.cache.set(key, p);
  }

  /** The cached entry's promise, unless absent or expired. */
  private cached(key: string): Promise<TenantEntry> | undefined {
    const p = this.cache.get(key);
    if (p && this.cacheTtlMs !== Infinity && performance.now() - (this.loadedAt.get(key) ?? 0) > this.cacheTtlMs) return undefined;
    return p;
  }

  private entry(tenant: Tenant): Promise<TenantEntry> {
    const key = tenantKey(tenant);
    let p = this.cached(key);
    if (!p) {
      if (this.cacheTtlMs !== Infinity) this.loadedAt.set(key, performance.now());
      p = Promise.all([this.store.get(tenant, 'ws'), this.store.get(tenant, 'rest')]).then(([ws, rest]) => entryOf(ws, rest));
      this.remember(key, p);
    }
    return p;
  }
}

function entryOf(ws: StoredIntegration | undefined, rest: StoredIntegration | undefined): TenantEntry {
  return {
    ...(ws ? { ws } : {}),
    ...(rest ? { rest } : {}),
    wsNames: new Set(ws?.capabilities.map((c) => c.name)),
    restNames: new Set(rest?.capabilities.map((c) => c.name)),
  };
}

function withTransport(e: TenantEntry, transport: TransportKind, i: StoredIntegration | undefined): TenantEntry {
  return transport === 'ws' ? entryOf(i, e.rest) : entryOf(e.ws, i);
}

function previewsOf(req: RegistrationRequest): string[] {
  return req.capabilities.filter((c) => c.capability.status === 'preview').map((c) => c.capability.name);
}

function view(i: StoredIntegration): IntegrationView {
  return {
    ...(i.rest ? { url: i.rest.url } : {}),
    capabilities: i.capabilities.map((c) => ({ name: c.name, version: c.version, updatedAt: c.updatedAt })),
    ...(i.rest ? { auth: { authType: 'basic' as const, basic: { username: i.rest.username } } } : {}),
    createdAt: i.createdAt,
  };
}
