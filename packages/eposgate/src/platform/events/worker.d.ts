import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import type { OutboxStore } from '../store/store.ts';
import { type Tenant } from '../tenant.ts';
import { type RetryPolicy } from './retryPolicy.ts';
export interface DeliveryWorkerOptions {
    outbox: OutboxStore;
    dispatcher: Dispatcher;
    policy: RetryPolicy;
    logger: Logger;
    /** Time the EPOS has to answer one delivery. */
    callTimeoutMs: number;
    /** Tenants delivered at the same time. Default 16. */
    concurrency?: number;
    now?: () => number;
    random?: () => number;
}
export declare class DeliveryWorker {
    private readonly o;
    private readonly inflight;
    /** Tenants whose EPOS connected while one of their deliveries was in flight. */
    private readonly connectedMeanwhile;
    private readonly abort;
    private readonly concurrency;
    private readonly now;
    private timer?;
    private started;
    private stopped;
    private ticking?;
    private again;
    constructor(o: DeliveryWorkerOptions);
    /** Resumes what the outbox holds (pending rows of a previous run included). */
    start(): void;
    /** Looks at the outbox now (after a raise, a reconnect, a finished delivery). */
    kick(): void;
    /** The tenant's EPOS just connected: its waiting events are due now. */
    connected(tenant: Tenant): Promise<void>;
    /** Stops taking work; deliveries in flight are cancelled and stay pending for the next start. */
    stop(): Promise<void>;
    private tick;
    private deliver;
    private failed;
}
