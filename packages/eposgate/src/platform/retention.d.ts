import type { Logger } from 'pino';
import type { Limits } from './limits.ts';
import type { Store } from './store/store.ts';
export interface RetentionOptions {
    store: Pick<Store, 'outbox' | 'eposEvents' | 'flows'>;
    limits: Pick<Limits, 'posEventsPerTenant' | 'posEventMaxAgeMs' | 'flowRunsPerTenant' | 'flowRunMaxAgeMs' | 'outboxDonePerTenant' | 'outboxDoneMaxAgeMs' | 'pendingEventTtlMs' | 'retentionIntervalMs'>;
    logger: Logger;
    /** Called after pending events were expired, so the delivery worker looks at the new heads. */
    onExpired?: () => void;
    /** Rows per write. Default 500. */
    chunk?: number;
    now?: () => number;
}
/** What one pass did, row counts by step. */
export interface RetentionReport {
    expired: number;
    outboxByAge: number;
    outboxByCount: number;
    posEventsByAge: number;
    posEventsByCount: number;
    flowRunsByAge: number;
    flowRunsByCount: number;
}
export declare class Retention {
    private readonly o;
    private timer?;
    private running?;
    private stopped;
    private readonly chunk;
    private readonly now;
    constructor(o: RetentionOptions);
    start(): void;
    /** Stops the timer and waits for a pass in progress (it stops at its next chunk). */
    stop(): Promise<void>;
    /** One pass now (also what the timer runs); a pass already running is joined, not doubled. */
    run(): Promise<RetentionReport>;
    private pass;
    /** Repeats a chunked step until it does less than a full chunk (or the platform stops). */
    private drain;
}
