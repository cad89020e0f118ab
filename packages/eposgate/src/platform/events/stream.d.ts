import type { ServerResponse } from 'node:http';
import { type Limits } from '../limits.ts';
import type { EposEventStore } from '../store/store.ts';
import { type Tenant } from '../tenant.ts';
export type StreamLimits = Pick<Limits, 'streamsPerTenant' | 'streamBufferBytes'>;
export interface StreamHubOptions {
    store: EposEventStore;
    /** Period of the `: keep-alive` comment that keeps proxies from closing an idle stream. */
    keepAliveMs: number;
    /** Reconnect delay suggested to EventSource clients (`retry:`). */
    retryMs?: number;
    /** How long a stream may wait for its client to read (for 'drain') before it is cut. Default 2 × keepAliveMs. */
    stallMs?: number;
    /** Streams per tenant and the send buffer per stream (limits.ts); defaults when absent. */
    limits?: StreamLimits;
}
export declare class StreamHub {
    private readonly o;
    private readonly byTenant;
    private closed;
    private readonly limits;
    constructor(o: StreamHubOptions);
    /** A new event for the tenant is stored: its open streams read it. */
    notify(tenant: Tenant): void;
    /** Throws TOO_MANY_STREAMS when the tenant already has its share open: call before taking the response over. */
    admit(tenant: Tenant): void;
    /** Serves one stream on `res` from the events after `after`, until the client, the platform or a revocation ends it. */
    open(tenant: Tenant, keyId: string, after: number, res: ServerResponse): void;
    /** Ends every stream opened with `keyId` (the key was revoked). */
    closeKey(keyId: string): number;
    /** Open streams of a tenant (tests, metrics). */
    count(tenant: Tenant): number;
    /** Ends every stream cleanly (platform shutdown). */
    close(): void;
}
