import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../store/store.ts';
import type { EposGateway } from '../transports/ws/gateway.ts';
import { type RetryPolicy } from './retryPolicy.ts';
import { StreamHub, type StreamLimits } from './stream.ts';
import { DeliveryWorker } from './worker.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retryPolicy.ts';
export interface EventsDeps {
    app: FastifyInstance;
    store: Store;
    registry: Registry;
    dispatcher: Dispatcher;
    gateway: EposGateway;
    logger: Logger;
    retry?: Partial<RetryPolicy>;
    /** Time an EPOS has to answer one HandleEvent delivery. */
    callTimeoutMs: number;
    /** Keep-alive comment period of the SSE stream. Default 15 s. */
    sseKeepAliveMs?: number;
    /** SSE streams per tenant and send buffer per stream (limits.ts). */
    streamLimits?: StreamLimits;
}
export declare class Events {
    private readonly d;
    readonly worker: DeliveryWorker;
    readonly hub: StreamHub;
    private readonly onConnect;
    constructor(d: EventsDeps);
    start(): void;
    /** Ends the SSE streams and stops the worker; deliveries in flight stay pending for the next start. */
    stop(): Promise<void>;
}
