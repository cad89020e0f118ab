/** setInterval fires at once for anything longer (Node clamps it to 1 ms): a day is the longest wait. */
const MAX_TIMER_MS = 24 * 60 * 60 * 1000;
export class Retention {
    o;
    timer;
    running;
    stopped = false;
    chunk;
    now;
    constructor(o) {
        this.o = o;
        this.chunk = o.chunk ?? 500;
        this.now = o.now ?? Date.now;
    }
    start() {
        if (this.timer || this.stopped)
            return;
        this.timer = setInterval(() => {
            if (this.running)
                return; // the previous pass is still working off a backlog
            this.run().catch((err) => this.o.logger.error({ err }, 'retention pass failed'));
        }, Math.min(this.o.limits.retentionIntervalMs, MAX_TIMER_MS));
        this.timer.unref();
    }
    /** Stops the timer and waits for a pass in progress (it stops at its next chunk). */
    async stop() {
        this.stopped = true;
        clearInterval(this.timer);
        await this.running?.catch(() => undefined);
    }
    /** One pass now (also what the timer runs); a pass already running is joined, not doubled. */
    run() {
        this.running ??= this.pass().finally(() => { this.running = undefined; });
        return this.running;
    }
    async pass() {
        const { store: s, limits: l } = this.o;
        const now = this.now();
        const lastError = {
            code: 'EVENT_EXPIRED',
            message: `not delivered within ${l.pendingEventTtlMs} ms of being raised (pendingEventTtlMs): expired, no further attempts`,
            at: new Date(now).toISOString(),
        };
        const r = {
            expired: await this.drain((n) => s.outbox.expirePending(now - l.pendingEventTtlMs, lastError, n)),
            outboxByAge: await this.drain((n) => s.outbox.pruneDone(now - l.outboxDoneMaxAgeMs, n)),
            outboxByCount: await this.drain((n) => s.outbox.pruneDoneBeyond(l.outboxDonePerTenant, n)),
            posEventsByAge: await this.drain((n) => s.eposEvents.pruneOlder(now - l.posEventMaxAgeMs, n)),
            posEventsByCount: await this.drain((n) => s.eposEvents.pruneBeyond(l.posEventsPerTenant, n)),
            flowRunsByAge: await this.drain((n) => s.flows.pruneFinished(now - l.flowRunMaxAgeMs, n)),
            flowRunsByCount: await this.drain((n) => s.flows.pruneFinishedBeyond(l.flowRunsPerTenant, n)),
        };
        if (r.expired > 0)
            this.o.onExpired?.();
        if (Object.values(r).some((n) => n > 0))
            this.o.logger.info({ retention: r }, 'retention pass');
        return r;
    }
    /** Repeats a chunked step until it does less than a full chunk (or the platform stops). */
    async drain(step) {
        let total = 0;
        for (;;) {
            if (this.stopped)
                return total;
            const n = await step(this.chunk);
            total += n;
            if (n < this.chunk)
                return total;
            await new Promise((resolve) => setImmediate(resolve));
        }
    }
}
