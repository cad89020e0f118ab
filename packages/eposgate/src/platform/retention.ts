// Retention: what the store keeps, so its size (and the cost of every query on it) stays bounded
// however long the platform runs. Every `retentionIntervalMs` it
//   - marks pending outbox events older than `pendingEventTtlMs` `expired` (reason `ttl`): an EPOS
//     that never comes back no longer holds its events pending forever, and nothing vanishes unseen;
//   - deletes finished outbox rows (delivered, failed, skipped, expired) by age and count per tenant;
//   - deletes POS events by age and count per tenant;
//   - deletes finished tester runs by age and count per tenant (never an IN_PROGRESS one);
//   - deletes registration changes (the history) by age and count per tenant.
//   - deletes recorded calls (the call log) by age and count per tenant.
// Each step deletes in chunks of `chunk` rows, one short write each, yielding to the event loop in
// between, so a large backlog is worked off without blocking requests for long.
import type { Logger } from 'pino';
import type { Limits } from './limits.ts';
import type { DeliveryError, Store } from './store/store.ts';

/** setInterval fires at once for anything longer (Node clamps it to 1 ms): a day is the longest wait. */
const MAX_TIMER_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  store: Pick<Store, 'outbox' | 'eposEvents' | 'flows' | 'integrations'> & Partial<Pick<Store, 'calls'>>;
  limits: Pick<Limits, 'posEventsPerTenant' | 'posEventMaxAgeMs' | 'flowRunsPerTenant' | 'flowRunMaxAgeMs'
    | 'outboxDonePerTenant' | 'outboxDoneMaxAgeMs' | 'pendingEventTtlMs' | 'retentionIntervalMs'
    | 'registrationChangesPerTenant' | 'registrationChangeMaxAgeMs'>
    & Partial<Pick<Limits, 'callLogPerTenant' | 'callLogMaxAgeMs'>>;
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
  changesByAge: number;
  changesByCount: number;
  callsByAge: number;
  callsByCount: number;
}

export class Retention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<RetentionReport>;
  private stopped = false;
  private readonly chunk: number;
  private readonly now: () => number;

  constructor(private readonly o: RetentionOptions) {
    this.chunk = o.chunk ?? 500;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      if (this.running) return; // the previous pass is still working off a backlog
      this.run().catch((err) => this.o.logger.error({ err }, 'retention pass failed'));
    }, Math.min(this.o.limits.retentionIntervalMs, MAX_TIMER_MS));
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass in progress (it stops at its next chunk). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass now (also what the timer runs); a pass already running is joined, not doubled. */
  run(): Promise<RetentionReport> {
    this.running ??= this.pass().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async pass(): Promise<RetentionReport> {
    const { store: s, limits: l } = this.o;
    const calls = s.calls;
    const now = this.now();
    const lastError: DeliveryError = {
      code: 'EVENT_EXPIRED',
      message: `not delivered within ${l.pendingEventTtlMs} ms of being raised (pendingEventTtlMs): expired, no further attempts`,
      at: new Date(now).toISOString(),
    };
    const r: RetentionReport = {
      expired: await this.drain((n) => s.outbox.expirePending(now - l.pendingEventTtlMs, lastError, n)),
      outboxByAge: await this.drain((n) => s.outbox.pruneDone(now - l.outboxDoneMaxAgeMs, n)),
      outboxByCount: await this.drain((n) => s.outbox.pruneDoneBeyond(l.outboxDonePerTenant, n)),
      posEventsByAge: await this.drain((n) => s.eposEvents.pruneOlder(now - l.posEventMaxAgeMs, n)),
      posEventsByCount: await this.drain((n) => s.eposEvents.pruneBeyond(l.posEventsPerTenant, n)),
      flowRunsByAge: await this.drain((n) => s.flows.pruneFinished(now - l.flowRunMaxAgeMs, n)),
      flowRunsByCount: await this.drain((n) => s.flows.pruneFinishedBeyond(l.flowRunsPerTenant, n)),
      changesByAge: await this.drain((n) => s.integrations.pruneHistoryOlder(now - l.registrationChangeMaxAgeMs, n)),
      changesByCount: await this.drain((n) => s.integrations.pruneHistoryBeyond(l.registrationChangesPerTenant, n)),
      callsByAge: calls && l.callLogMaxAgeMs ? await this.drain((n) => calls.pruneOlder(now - l.callLogMaxAgeMs!, n)) : 0,
      callsByCount: calls && l.callLogPerTenant ? await this.drain((n) => calls.pruneBeyond(l.callLogPerTenant!, n)) : 0,
    };
    if (r.expired > 0) this.o.onExpired?.();
    if (Object.values(r).some((n) => n > 0)) this.o.logger.info({ retention: r }, 'retention pass');
    return r;
  }

  /** Repeats a chunked step until it does less than a full chunk (or the platform stops). */
  private async drain(step: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.stopped) return total;
      const n = await step(this.chunk);
      total += n;
      if (n < this.chunk) return total;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
