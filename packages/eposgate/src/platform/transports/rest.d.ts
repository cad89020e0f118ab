import type { Tenant } from '../tenant.ts';
import type { Capability } from '@eposgate/contract';
import { type TransportLogger } from './log.ts';
import { type RestTarget } from './restRequest.ts';
import { type Resolve } from './targetGuard.ts';
import type { CallOptions, RequestorHeaders, Transport } from './transport.ts';
export type { RestTarget } from './restRequest.ts';
export declare const DEFAULT_MAX_RESPONSE_BYTES: number;
export interface RestTransportOptions {
    /** The tenant's registered REST integration, or undefined when it has none. */
    resolve(tenant: Tenant): Promise<RestTarget | undefined>;
    /** Most sockets kept open to one EPOS origin. Default 16. */
    connectionsPerOrigin?: number;
    /** How long an idle keep-alive socket is kept. Default 10 s. */
    keepAliveTimeoutMs?: number;
    /** TCP/TLS connect limit (the call's own timeout still applies). Default 5 s. */
    connectTimeoutMs?: number;
    /** Largest answer body accepted. Default 4 MiB. */
    maxResponseBytes?: number;
    logger?: TransportLogger;
    /**
     * Whether this tenant's target is checked at connect time against the address policy
     * (addressPolicy.ts). Default: production tenants only.
     */
    guardTarget?: (tenant: Tenant) => boolean;
    /** DNS for guarded targets (tests stand in for it). Default: the system resolver. */
    lookupHost?: Resolve;
    /** Longest excerpt of an answer body quoted in an error message. Default 200. */
    excerptChars?: number;
}
export declare class RestTransport implements Transport {
    private readonly opts;
    readonly kind: "rest";
    private readonly agent;
    private readonly guardedAgent;
    private readonly guardTarget;
    private readonly excerptChars;
    private readonly maxResponseBytes;
    private readonly log;
    private readonly debug;
    constructor(opts: RestTransportOptions);
    call(tenant: Tenant, capability: Capability, params: Record<string, unknown>, headers: RequestorHeaders, opts: CallOptions): Promise<unknown>;
    /** Closes the pooled sockets. */
    close(): Promise<void>;
    private send;
}
