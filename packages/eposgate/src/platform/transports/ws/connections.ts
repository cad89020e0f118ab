// Which EPOS sockets each tenant has open, and who is waiting for one. Policy "newest serves,
// others stand by": calls go to the most recently connected open socket; when it goes, the next
// newest takes over.
import { PlatformError } from '../../errors.ts';
import { tenantKey, type Tenant } from '../../tenant.ts';
import { cancelledError } from '../eposAnswer.ts';
import type { EposSocket } from './eposSocket.ts';

interface Waiter {
  resolve(c: EposSocket | undefined): void;
  reject(e: PlatformError): void;
}

export class ConnectionRegistry {
  /** Per tenant key, oldest first. */
  private readonly byTenant = new Map<string, EposSocket[]>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private shutdownError?: PlatformError;

  add(conn: EposSocket): void {
    const list = this.byTenant.get(conn.key) ?? [];
    list.push(conn);
    this.byTenant.set(conn.key, list);
    const waiting = this.waiters.get(conn.key);
    if (waiting) {
      this.waiters.delete(conn.key);
      for (const w of waiting) w.resolve(conn);
    }
  }

  remove(conn: EposSocket): void {
    const list = this.byTenant.get(conn.key);
    if (!list) return;
    const rest = list.filter((c) => c !== conn);
    if (rest.length) this.byTenant.set(conn.key, rest);
    else this.byTenant.delete(conn.key);
  }

  /** The socket that serves the tenant now: the newest one still open. */
  current(tenant: Tenant): EposSocket | undefined {
    const list = this.byTenant.get(tenantKey(tenant));
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i -= 1) if (list[i].open) return list[i];
    return undefined;
  }

  count(tenant: Tenant): number {
    return (this.byTenant.get(tenantKey(tenant)) ?? []).filter((c) => c.open).length;
  }

  list(tenant: Tenant): EposSocket[] {
    return [...(this.byTenant.get(tenantKey(tenant)) ?? [])];
  }

  all(): EposSocket[] {
    return [...this.byTenant.values()].flat();
  }

  /**
   * Resolves with the tenant's serving socket as soon as there is one, or `undefined` after
   * `ms`; rejects if the caller's signal fires or the registry shuts down meanwhile.
   */
  waitFor(tenant: Tenant, ms: number, signal?: AbortSignal): Promise<EposSocket | undefined> {
    if (this.shutdownError) return Promise.reject(this.shutdownError);
    const now = this.current(tenant);
    if (now) return Promise.resolve(now);
    if (signal?.aborted) return Promise.reject(cancelledError(signal));
    if (ms <= 0) return Promise.resolve(undefined);
    const key = tenantKey(tenant);
    return new Promise((resolve, reject) => {
      const set = this.waiters.get(key) ?? new Set<Waiter>();
      this.waiters.set(key, set);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        set.delete(waiter);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
      };
      const waiter: Waiter = {
        resolve: (c) => { done(); resolve(c); },
        reject: (e) => { done(); reject(e); },
      };
      const onAbort = () => waiter.reject(cancelledError(signal!));
      const timer = setTimeout(() => waiter.resolve(undefined), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(waiter);
    });
  }

  /** Fails every waiter and every later wait with `err`. */
  shutdown(err: PlatformError): void {
    this.shutdownError = err;
    const all = [...this.waiters.values()].flatMap((s) => [...s]);
    this.waiters.clear();
    for (const w of all) w.reject(err);
  }
}
