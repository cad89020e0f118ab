import { type Capability } from '@eposgate/contract';
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
    /** Longest excerpt of an EPOS's result quoted in a CONTRACT_VIOLATION body (limits.errorExcerptChars). Default 200. */
    excerptChars?: number;
}
export interface InvokeOptions {
    timeoutMs?: number;
    signal?: AbortSignal;
}
export declare class Dispatcher {
    private readonly o;
    constructor(o: DispatcherOptions);
    invoke(tenant: Tenant, capability: string | Capability, params: Record<string, unknown>, requestor?: RequestorHeaders, opts?: InvokeOptions): Promise<unknown>;
    /**
     * The body quotes the first issues and a short excerpt of the result with secret-like values
     * redacted, never the result itself: a sandbox "EPOS" may be an internal service whose answer is
     * not the caller's to read. The whole result rides on a non-enumerable `extra.result`, which the
     * tester reads to show the step and which no JSON body serialises.
     */
    private contractViolation;
    /**
     * WS when the capability is registered there and a socket is open; else REST when registered
     * there; else WS (which waits briefly for a reconnect, then says the EPOS is not connected).
     */
    private pick;
}
