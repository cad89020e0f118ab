// Transport over the EPOS's WebSocket: picks the tenant's serving socket (waiting a short grace
// for one during a reconnect) and sends the JSON-RPC request on it.
import type { Capability } from '@eposgate/contract';
import { paramsWithHeaders } from '@eposgate/contract';
import { PlatformError } from '../../errors.ts';
import type { Tenant } from '../../tenant.ts';
import type { CallOptions, RequestorHeaders, Transport } from '../transport.ts';
import type { EposGateway } from './gateway.ts';

export const DEFAULT_CONNECT_GRACE_MS = 2000;

export interface WsTransportOptions {
  /**
   * How long a call made while no socket is open waits for the EPOS to (re)connect before failing
   * with EPOS_NOT_CONNECTED; never longer than the call's own timeout. Default 2000 ms.
   */
  connectGraceMs?: number;
}

export class WsTransport implements Transport {
  readonly kind = 'ws' as const;
  private readonly connectGraceMs: number;

  constructor(private readonly gateway: EposGateway, opts: WsTransportOptions = {}) {
    this.connectGraceMs = opts.connectGraceMs ?? DEFAULT_CONNECT_GRACE_MS;
  }

  call(tenant: Tenant, capability: Capability, params: Record<string, unknown>, headers: RequestorHeaders, opts: CallOptions): Promise<unknown> {
    // An open socket is sent on at once: no async frame of its own on every call (B2).
    const conn = this.gateway.registry.current(tenant);
    if (conn) return conn.call(capability.wsMethod, paramsWithHeaders(params, headers), { timeoutMs: opts.timeoutMs, budgetMs: opts.timeoutMs, signal: opts.signal });
    return this.afterReconnect(tenant, capability, params, headers, opts);
  }

  /** No socket open: waits a short grace for one (a reconnect), within the call's own timeout. */
  private async afterReconnect(tenant: Tenant, capability: Capability, params: Record<string, unknown>, headers: RequestorHeaders, opts: CallOptions): Promise<unknown> {
    const started = performance.now();
    // On a stopping platform a call accepted before the drain still finds its socket while that
    // is open; otherwise the registry refuses the wait with PLATFORM_STOPPING.
    const conn = await this.gateway.registry.waitFor(tenant, Math.min(this.connectGraceMs, opts.timeoutMs), opts.signal);
    if (!conn) {
      throw new PlatformError('EPOS_NOT_CONNECTED', 'no EPOS WebSocket connected for this account/environment');
    }
    const left = opts.timeoutMs - (performance.now() - started);
    if (left <= 0) {
      throw new PlatformError('EPOS_TIMEOUT', `the EPOS did not answer ${capability.wsMethod} within ${opts.timeoutMs} ms`);
    }
    return conn.call(capability.wsMethod, paramsWithHeaders(params, headers), {
      timeoutMs: left,
      budgetMs: opts.timeoutMs,
      signal: opts.signal,
    });
  }
}
