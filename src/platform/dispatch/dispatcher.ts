// invoke(tenant, capability, params, requestor): the one way anything reaches an EPOS.
// Refuses what is not registered, picks the transport, validates both ways, records metrics.
import { findCapability, type Capability } from '../../contract/catalogue.ts';
import { validateParams, validateResult } from '../../contract/validate.ts';
import { PlatformError, isPlatformError } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { Tenant } from '../tenant.ts';
import type { RequestorHeaders, Transport } from '../transports/transport.ts';
import type { Metrics } from './metrics.ts';

export interface DispatcherOptions {
  registry: Registry;
  ws: Transport;
  rest: Transport;
  /** True when the tenant has an open EPOS socket (decides between WS and REST when both are registered). */
  wsConnected(tenant: Tenant): boolean;
  metrics: Metrics;
  /** Default per-call timeout. */
  timeoutMs: number;
  /** Validate params before sending and results on return. Default true for both. */
  validateParams?: boolean;
  validateResults?: boolean;
}

export interface InvokeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class Dispatcher {
  constructor(private readonly o: DispatcherOptions) {}

  async invoke(tenant: Tenant, capability: string | Capability, params: Record<string, unknown>, requestor: RequestorHeaders = {}, opts: InvokeOptions = {}): Promise<unknown> {
    const cap = typeof capability === 'string' ? findCapability(capability) : capability;
    if (!cap) throw new PlatformError('UNKNOWN_CAPABILITY', `unknown capability "${String(capability)}"`);
    if (cap.status === 'preview') {
      throw new PlatformError('CAPABILITY_PREVIEW', `${cap.name} is a preview capability without a published contract: the platform does not invoke it yet`);
    }
    if (this.o.validateParams !== false) {
      const issues = validateParams(cap, params);
      if (issues) throw new PlatformError('VALIDATION_FAILED', `${cap.name} params: ${issues[0]!.path}: ${issues[0]!.message}`, { details: issues });
    }
    const transport = await this.pick(tenant, cap);
    const started = performance.now();
    try {
      const result = await transport.call(tenant, cap, params, requestor, { timeoutMs: opts.timeoutMs ?? this.o.timeoutMs, signal: opts.signal });
      if (this.o.validateResults !== false) {
        const issues = validateResult(cap, result);
        if (issues) {
          const first = issues[0]!;
          throw new PlatformError('CONTRACT_VIOLATION',
            // The result goes back too: the caller's own EPOS answered it, and a tester step shows it.
            `the EPOS answered ${cap.name} with a result that breaks the contract at ${first.path}: ${first.message}`,
            { details: issues, extra: { capability: cap.name, transport: transport.kind, result } });
        }
      }
      this.o.metrics.record(cap.name, transport.kind, performance.now() - started);
      return result;
    } catch (err) {
      this.o.metrics.record(cap.name, transport.kind, performance.now() - started, isPlatformError(err) ? err.code : 'INTERNAL');
      throw err;
    }
  }

  /**
   * WS when the capability is registered there and a socket is open; else REST when registered
   * there; else WS (which waits briefly for a reconnect, then says the EPOS is not connected).
   */
  private async pick(tenant: Tenant, cap: Capability): Promise<Transport> {
    const on = await this.o.registry.transportsFor(tenant, cap);
    if (on.ws && (!on.rest || this.o.wsConnected(tenant))) return this.o.ws;
    if (on.rest) return this.o.rest;
    throw new PlatformError('CAPABILITY_NOT_REGISTERED',
      `${cap.name} is not registered for this account (${tenant.env}): register it with PUT /epos/integrations/ws or /rest before it can be invoked`,
      { extra: { capability: cap.name } });
  }
}
