// Events, composed: the outbox worker (platform → EPOS, at least once), the SSE hub (EPOS → products)
// and their routes. startPlatform() builds one, starts it after listen and stops it first on close.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../store/store.ts';
import type { EposGateway } from '../transports/ws/gateway.ts';
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
  /** This node's id: the owner of the outbox leases its worker takes. */
  node?: string;
}

export class Events {
  readonly worker: DeliveryWorker;
  readonly hub: StreamHub;
  private readonly onConnect: (info: { caller: { accountId: string; env: 'sandbox' | 'production' } }) => void;

  constructor(private readonly d: EventsDeps) {
    const log = d.logger.child({ component: 'events' });
    this.worker = new DeliveryWorker({
      outbox: d.store.outbox,
      dispatcher: d.dispatcher,
      policy: { ...DEFAULT_RETRY, ...definedOnly(d.retry ?? {}) },
      logger: log,
      callTimeoutMs: d.callTimeoutMs,
      ...(d.node !== undefined ? { owner: d.node } : {}),
    });
    this.hub = new StreamHub({
      store: d.store.eposEvents, keepAliveMs: d.sseKeepAliveMs ?? 15_000, ...(d.streamLimits ? { limits: d.streamLimits } : {}),
    });
    this.onConnect = ({ caller }) => {
      this.worker.connected({ accountId: caller.accountId, env: caller.env })
        .catch((err) => log.error({ err }, 'could not resume events on connect'));
    };
  }

  /** The event routes, for the authenticated context. */
  routes(app: FastifyInstance): void {
    eventRoutes(app, { outbox: this.d.store.outbox, eposEvents: this.d.store.eposEvents, registry: this.d.registry, worker: this.worker, hub: this.hub });
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
    this.hub.close();
    await this.worker.stop(graceMs);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
