// Events, composed: the outbox worker (platform → EPOS, at least once), the SSE hub (EPOS → products)
// and their routes. startPlatform() builds one, starts it after listen and stops it first on close.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../store/store.ts';
import type { EposGateway } from '../transports/ws/gateway.ts';
import type { Messaging } from '../bus/messaging.ts';
import type { Presence } from '../bus/presence.ts';
import type { Tenant } from '../tenant.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import { deliveryRoutes } from './deliveries.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retryPolicy.ts';
import { eventRoutes } from './routes.ts';
import { StreamHub, type StreamLimits } from './stream.ts';
import { DeliveryWorker } from './worker.ts';

export { DEFAULT_RETRY, type RetryPolicy } from './retryPolicy.ts';

export interface EventsDeps {
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
  /** Attempts kept per event, events per replay (limits.ts). */
  deliveryLimits?: Pick<Limits, 'deliveryAttemptsKept' | 'deliveryReplayMax'>;
  /** Dead letters in a row that pause a tenant's deliveries; 0: never. Default 0. */
  pauseAfterDeadLetters?: number;
  /** This node's id: the owner of the outbox leases its worker takes. */
  node?: string;
  /**
   * Cluster: the bus to the other nodes. An EPOS event posted here is announced to them, so their
   * open streams of the tenant read it from the shared store (and stream.ts re-reads the store on
   * each keep-alive, should an announcement be lost).
   */
  bus?: Messaging;
  /** Cluster: who holds which EPOS sockets; a tenant parked here waiting for its EPOS resumes when it connects on a peer. */
  presence?: Presence;
}

/** Broadcast subject: "this tenant has a new EPOS event in the store". */
const STREAM_NEWS = 'events.stream';
/**
 * Cluster: how soon a worker with room claims again whatever the schedule says (DeliveryWorker's
 * recheckMs): the longest a due event can wait after losing a race for its row, not a poll that
 * matters otherwise (one claim and one look per node per second when idle).
 */
const CLUSTER_RECHECK_MS = 1_000;

export class Events {
  readonly worker: DeliveryWorker;
  readonly hub: StreamHub;
  private readonly unsubscribe?: () => void;
  private readonly unheld?: () => void;
  private readonly onConnect: (info: { caller: { accountId: string; env: 'sandbox' | 'production' } }) => void;

  constructor(private readonly d: EventsDeps) {
    const log = d.logger.child({ component: 'events' });
    const presence = d.presence;
    this.worker = new DeliveryWorker({
      outbox: d.store.outbox,
      dispatcher: d.dispatcher,
      policy: { ...DEFAULT_RETRY, ...definedOnly(d.retry ?? {}) },
      logger: log,
      callTimeoutMs: d.callTimeoutMs,
      attemptsKept: (d.deliveryLimits ?? DEFAULT_LIMITS).deliveryAttemptsKept,
      pauseAfterDeadLetters: d.pauseAfterDeadLetters ?? 0,
      ...(d.node !== undefined ? { owner: d.node } : {}),
      ...(d.bus && presence ? { heldAnywhere: (key: string) => presence.holders(key).length > 0 } : {}),
      ...(d.bus ? { recheckMs: CLUSTER_RECHECK_MS } : {}),
    });
    this.hub = new StreamHub({
      store: d.store.eposEvents, keepAliveMs: d.sseKeepAliveMs ?? 15_000, ...(d.streamLimits ? { limits: d.streamLimits } : {}),
      pollOnKeepAlive: d.bus !== undefined,
    });
    const bus = d.bus;
    if (bus && d.presence) this.unheld = d.presence.onHeld((key) => this.worker.connectedElsewhere(key));
    if (bus) {
      this.unsubscribe = bus.subscribe(STREAM_NEWS, (body, from) => {
        const t = body as Tenant | null;
        if (from !== bus.nodeId && typeof t?.accountId === 'string' && (t.env === 'sandbox' || t.env === 'production')) this.hub.notify(t);
      });
    }
    this.onConnect = ({ caller }) => {
      this.worker.connected({ accountId: caller.accountId, env: caller.env })
        .catch((err) => log.error({ err }, 'could not resume events on connect'));
    };
  }

  /** The event routes, for the authenticated context. */
  routes(app: FastifyInstance): void {
    eventRoutes(app, {
      outbox: this.d.store.outbox, eposEvents: this.d.store.eposEvents, registry: this.d.registry, worker: this.worker, hub: this.hub,
      appended: (t) => this.appended(t),
    });
    const limits = this.d.deliveryLimits ?? DEFAULT_LIMITS;
    deliveryRoutes(app, { outbox: this.d.store.outbox, worker: this.worker, attemptsKept: limits.deliveryAttemptsKept, replayMax: limits.deliveryReplayMax });
  }

  /** An EPOS event of `t` is stored: the streams here, and on every other node, read it. */
  appended(t: Tenant): void {
    this.hub.notify(t);
    this.d.bus?.publish(STREAM_NEWS, { accountId: t.accountId, env: t.env });
  }

  start(): void {
    this.d.gateway.on('connect', this.onConnect);
    this.worker.start();
  }

  /**
   * Ends the SSE streams and stops the worker: deliveries in flight may finish within `graceMs`
   * (a drain), the rest stay pending for the next start.
   */
  async stop(graceMs = 0): Promise<void> {
    this.d.gateway.off('connect', this.onConnect);
    this.unsubscribe?.();
    this.unheld?.();
    this.hub.close();
    await this.worker.stop(graceMs);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
