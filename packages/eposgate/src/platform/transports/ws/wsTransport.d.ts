import type { Capability } from '@eposgate/contract';
import type { Tenant } from '../../tenant.ts';
import type { CallOptions, RequestorHeaders, Transport } from '../transport.ts';
import type { EposGateway } from './gateway.ts';
export declare const DEFAULT_CONNECT_GRACE_MS = 2000;
export interface WsTransportOptions {
    /**
     * How long a call made while no socket is open waits for the EPOS to (re)connect before failing
     * with EPOS_NOT_CONNECTED; never longer than the call's own timeout. Default 2000 ms.
     */
    connectGraceMs?: number;
}
export declare class WsTransport implements Transport {
    private readonly gateway;
    readonly kind: "ws";
    private readonly connectGraceMs;
    constructor(gateway: EposGateway, opts?: WsTransportOptions);
    call(tenant: Tenant, capability: Capability, params: Record<string, unknown>, headers: RequestorHeaders, opts: CallOptions): Promise<unknown>;
}
