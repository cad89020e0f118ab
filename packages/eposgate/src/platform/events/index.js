import { DEFAULT_RETRY } from "./retryPolicy.js";
import { eventRoutes } from "./routes.js";
import { StreamHub } from "./stream.js";
import { DeliveryWorker } from "./worker.js";
export { DEFAULT_RETRY } from "./retryPolicy.js";
export class Events {
    d;
    worker;
    hub;
    onConnect;
    constructor(d) {
        this.d = d;
        const log = d.logger.child({ component: 'events' });
        this.worker = new DeliveryWorker({
            outbox: d.store.outbox,
            dispatcher: d.dispatcher,
            policy: { ...DEFAULT_RETRY, ...definedOnly(d.retry ?? {}) },
            logger: log,
            callTimeoutMs: d.callTimeoutMs,
        });
        this.hub = new StreamHub({
            store: d.store.eposEvents, keepAliveMs: d.sseKeepAliveMs ?? 15_000, ...(d.streamLimits ? { limits: d.streamLimits } : {}),
        });
        eventRoutes(d.app, { outbox: d.store.outbox, eposEvents: d.store.eposEvents, registry: d.registry, worker: this.worker, hub: this.hub });
        this.onConnect = ({ caller }) => {
            this.worker.connected({ accountId: caller.accountId, env: caller.env })
                .catch((err) => log.error({ err }, 'could not resume events on connect'));
        };
    }
    start() {
        this.d.gateway.on('connect', this.onConnect);
        this.worker.start();
    }
    /** Ends the SSE streams and stops the worker; deliveries in flight stay pending for the next start. */
    async stop() {
        this.d.gateway.off('connect', this.onConnect);
        this.hub.close();
        await this.worker.stop();
    }
}
function definedOnly(o) {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
