// The in-process delivery worker: takes due events from the outbox and hands them to the tenant's
// EPOS through dispatcher.invoke(). At least once: an entry leaves `pending` only after the EPOS
// answered it (or it is dead-lettered), and the outbox is durable, so a restart resumes.
//
// Per tenant, one event is in flight at a time and only the oldest pending one is ever taken, so a
// tenant's events arrive in creation order. Different tenants are delivered concurrently. Entries
// are taken with a lease (outbox.claimDue), so workers on several nodes sharing one store never
// deliver the same event at once; a node that dies leaves leases that run out and are taken again.
//
// Every call is logged with its event (outcome, transport, node, latency, error), in the same write
// as the outcome. A tenant whose events keep being dead-lettered is paused (pauseAfterDeadLetters in
// a row): the store hands out none of its events until it is resumed by hand; new ones queue.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import { isPlatformError, platformStopping } from '../errors.ts';
import { settleWithin } from '../deadline.ts';
import type { DeliveryAttempt, DeliveryError, OutboxChange, OutboxEntry, OutboxStore, TransportKind } from '../store/store.ts';
import { tenantKey, type Tenant } from '../tenant.ts';
import { capabilityOf } from './outbound.ts';
import { backoffMs, judge, type RetryPolicy } from './retryPolicy.ts';

export interface DeliveryWorkerOptions {
  outbox: OutboxStore;
  dispatcher: Dispatcher;
  policy: RetryPolicy;
  logger: Logger;
  /** Time the EPOS has to answer one delivery. */
  callTimeoutMs: number;
  /** Tenants delivered at the same time. Default 16. */
  concurrency?: number;
  /** Who holds the leases this worker takes (the node id). Default: a random id per worker. */
  owner?: string;
  /** Attempts kept in each event's log (limits.deliveryAttemptsKept). Default 50. */
  attemptsKept?: number;
  /** Dead letters (max attempts) in a row after which the tenant is paused; 0: never. Default 0. */
  pauseAfterDeadLetters?: number;
  /** Cluster: whether some node holds the tenant's EPOS socket now (presence, by tenant key). */
  heldAnywhere?: (key: string) => boolean;
  /**
   * Cluster: the longest a worker with room waits before claiming again, whatever the outbox's
   * next due time. A claim skips a row another node's statement holds at that instant (SKIP
   * LOCKED): a due head skipped so (its row held by the other node's makeDue, which then changed
   * nothing and kicked nobody) would otherwise wait for the next unrelated kick. Default: none.
   */
  recheckMs?: number;
  now?: () => number;
  random?: () => number;
}

/** Slack beyond the call timeout for which a taken entry is not due again (its lease). */
const LEASE_SLACK_MS = 5_000;

export class DeliveryWorker {
  private readonly inflight = new Map<string, Promise<void>>();
  /** Tenants whose EPOS connected while one of their deliveries was in flight. */
  private readonly connectedMeanwhile = new Set<string>();
  /** Tenants whose head event this worker parked to wait for their EPOS (by tenant key). */
  private readonly parked = new Map<string, Tenant>();
  private readonly abort = new AbortController();
  private readonly concurrency: number;
  private readonly owner: string;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private started = false;
  private stopped = false;
  private ticking?: Promise<void>;
  private again = false;

  constructor(private readonly o: DeliveryWorkerOptions) {
    this.concurrency = o.concurrency ?? 16;
    this.now = o.now ?? Date.now;
    this.owner = o.owner ?? randomUUID();
  }

  /** Resumes what the outbox holds (pending rows of a previous run included). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.kick();
  }

  /** Looks at the outbox now (after a raise, a reconnect, a finished delivery). */
  kick(): void {
    if (!this.started || this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((err) => this.o.logger.error({ err }, 'event delivery loop failed'))
      .finally(() => {
        this.ticking = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** The tenant's EPOS just connected: its waiting events are due now. */
  async connected(tenant: Tenant): Promise<void> {
    if (this.stopped) return;
    this.parked.delete(tenantKey(tenant));
    if (this.inflight.has(tenantKey(tenant))) this.connectedMeanwhile.add(tenantKey(tenant));
    const n = await this.o.outbox.makeDue(tenant, this.now());
    // Nothing became due: the outbox looks the same as before, and its timer already covers the
    // rest. Not looking again matters when thousands of EPOSes (re)connect, e.g. after a restart.
    if (n === 0) return;
    this.o.logger.debug({ tenant: tenantKey(tenant), n }, 'EPOS connected: its pending events are due');
    this.kick();
  }

  /**
   * Cluster: the tenant's EPOS connected on another node (presence). That node makes the tenant's
   * events due itself, but not an event this worker held at that moment: one in flight here is
   * retried at once when it fails, one parked here is made due now.
   */
  connectedElsewhere(key: string): void {
    if (this.stopped) return;
    if (this.inflight.has(key)) this.connectedMeanwhile.add(key);
    else this.unpark(key);
  }

  private unpark(key: string): void {
    const tenant = this.parked.get(key);
    if (!tenant) return;
    this.connected(tenant).catch((err) => this.o.logger.error({ err }, 'could not resume events on a connect elsewhere'));
  }

  /**
   * Stops taking work. Deliveries in flight may finish within `graceMs` (a drain); past it they
   * are cancelled (PLATFORM_STOPPING) and stay pending for the next start or another node.
   */
  async stop(graceMs = 0): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    if (graceMs > 0) await settleWithin(Promise.allSettled([this.ticking, ...this.inflight.values()]), graceMs);
    this.abort.abort(platformStopping());
    await this.ticking;
    await Promise.allSettled([...this.inflight.values()]);
  }

  private async tick(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    const free = this.concurrency - this.inflight.size;
    // The lease: not due again while this attempt can still be running. A tenant in flight here
    // holds a lease, so it is not handed out again.
    const due = free > 0 ? await this.o.outbox.claimDue(now, this.owner, this.o.callTimeoutMs + LEASE_SLACK_MS, free) : [];
    if (this.stopped) {
      // Stopped while claiming: hand the leases back so the next start need not wait them out.
      await Promise.allSettled(due.map((e) => this.o.outbox.update(e.tenant, e.event.id, { nextAttemptAt: now })));
      return;
    }
    for (const entry of due) {
      const key = tenantKey(entry.tenant);
      this.connectedMeanwhile.delete(key);
      this.parked.delete(key);
      const run = this.deliver(entry).finally(() => {
        this.inflight.delete(key);
        this.kick();
      });
      this.inflight.set(key, run);
    }
    if (this.stopped) return;
    // Entries already due but not taken belong to tenants in flight (or past the concurrency
    // limit): a finishing delivery kicks again. The timer is for the next one that comes due, and
    // in a cluster, while there was room, for a look again within recheckMs (see there).
    const next = await this.o.outbox.nextDueAt(now);
    const recheck = this.o.recheckMs !== undefined && due.length < free ? now + this.o.recheckMs : Infinity;
    const at = Math.min(next ?? Infinity, recheck);
    if (at !== Infinity) {
      this.timer = setTimeout(() => this.kick(), Math.max(0, at - this.now()));
      this.timer.unref();
    }
  }

  /** Counts a dead letter of the tenant; the rule may pause it (state in the store, for every node). */
  private async deadLettered(tenant: Tenant): Promise<void> {
    const n = this.o.pauseAfterDeadLetters ?? 0;
    if (n <= 0) return;
    const paused = await this.o.outbox.deadLettered(tenant, n, { since: new Date(this.now()).toISOString(), reason: pauseReason(n) });
    if (paused) this.o.logger.warn({ tenant: tenantKey(tenant), paused }, 'event deliveries paused: the EPOS keeps failing');
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    const { tenant } = entry;
    const id = entry.event.id;
    const startedAt = new Date(this.now()).toISOString();
    let transport: TransportKind | undefined;
    const t0 = performance.now();
    const attempt = (outcome: DeliveryAttempt['outcome'], error?: DeliveryError) => ({
      record: {
        at: startedAt, outcome, ...(transport ? { transport } : {}), node: this.owner,
        ...(transport ? { latencyMs: Math.round(performance.now() - t0) } : {}),
        ...(error ? { error: { code: error.code, message: error.message } } : {}),
      },
      keep: this.o.attemptsKept ?? 50,
    });
    try {
      await this.o.dispatcher.invoke(tenant, capabilityOf(entry.event.event), entry.event, {},
        { timeoutMs: this.o.callTimeoutMs, signal: this.abort.signal, onTransport: (kind) => { transport = kind; }, source: 'events' });
      // Also lands on an entry retention expired meanwhile (reason cleared): the EPOS did get it.
      await this.o.outbox.update(tenant, id, {
        status: 'delivered', reason: undefined, attempts: entry.attempts + 1, lastAttemptAt: startedAt,
        deliveredAt: new Date(this.now()).toISOString(),
      }, attempt('delivered'));
      this.o.logger.debug({ tenant: tenantKey(tenant), id, attempts: entry.attempts + 1 }, 'event delivered');
    } catch (err) {
      const lastError = describe(err, new Date(this.now()).toISOString());
      await this.failed(entry, err, lastError, startedAt, (change) => this.o.outbox.update(tenant, id, change, attempt('failed', lastError)))
        .catch((e) => this.o.logger.error({ err: e }, 'could not record a failed delivery'));
    }
  }

  private async failed(entry: OutboxEntry, err: unknown, lastError: DeliveryError, startedAt: string,
    update: (change: OutboxChange) => Promise<boolean>): Promise<void> {
    const { tenant } = entry;
    const id = entry.event.id;
    const verdict = this.stopped ? { kind: 'requeue' as const } : judge(err);
    const log = { tenant: tenantKey(tenant), id, code: lastError.code };
    switch (verdict.kind) {
      case 'requeue':
        await update({ nextAttemptAt: this.now() });
        return;
      case 'wait': {
        // Parked until the EPOS connects (connected() makes it due), or the longest delay passes.
        const key = tenantKey(tenant);
        const back = this.connectedMeanwhile.delete(key);
        if (!back) this.parked.set(key, tenant);
        await update({ lastError, nextAttemptAt: this.now() + (back ? 0 : this.o.policy.maxMs) });
        // The news may have come while the row was written, or before this attempt gave up (a
        // presence notice is only sent on a change): then it is due now after all.
        if (!back && (this.connectedMeanwhile.delete(key) || this.o.heldAnywhere?.(key) === true)) this.unpark(key);
        this.o.logger.debug(log, 'event waits for its EPOS to connect');
        return;
      }
      case 'handOff':
        await update({ lastError, nextAttemptAt: this.now() + backoffMs(this.o.policy, entry.attempts + 1, this.o.random) });
        this.o.logger.debug(log, 'event left for a node that can reach its EPOS');
        return;
      case 'skip':
        await update({ status: 'skipped', reason: verdict.reason, lastError });
        this.o.logger.info(log, 'event skipped: its capability is no longer registered');
        return;
      case 'fail':
        await update({
          status: 'failed', reason: verdict.reason, attempts: entry.attempts + 1, lastAttemptAt: startedAt, lastError,
        });
        this.o.logger.warn(log, 'event refused by the EPOS: dead-lettered');
        return;
      case 'retry': {
        const attempts = entry.attempts + 1;
        if (attempts >= this.o.policy.maxAttempts) {
          await update({ status: 'failed', reason: 'max-attempts', attempts, lastAttemptAt: startedAt, lastError });
          this.o.logger.warn({ ...log, attempts }, 'event delivery gave up: dead-lettered');
          await this.deadLettered(tenant);
          return;
        }
        const delay = backoffMs(this.o.policy, attempts, this.o.random);
        await update({ attempts, lastAttemptAt: startedAt, lastError, nextAttemptAt: this.now() + delay });
        this.o.logger.debug({ ...log, attempts, delay }, 'event delivery failed: retrying');
      }
    }
  }
}

/** Reason of a pause by the dead-letter rule. */
export function pauseReason(n: number): string {
  return `${n} event${n === 1 ? '' : 's'} in a row dead-lettered after the maximum attempts (pauseAfterDeadLetters ${n}): resume by hand`;
}

function describe(err: unknown, at: string): DeliveryError {
  if (isPlatformError(err)) {
    const eposError = err.extra?.eposError;
    return { code: err.code, message: err.message, at, ...(eposError !== undefined ? { eposError } : {}) };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), at };
}
