import type { FastifyInstance } from 'fastify';
import type { Registry } from '../registry/registry.ts';
import type { EposEventStore, OutboxStore } from '../store/store.ts';
import type { StreamHub } from './stream.ts';
import type { DeliveryWorker } from './worker.ts';
export declare const OUTBOUND_PATH = "/epos/data/v1/events";
export declare const INBOUND_PATH = "/epos/events";
export declare const MAX_PAGE = 500;
export interface EventRouteDeps {
    outbox: OutboxStore;
    eposEvents: EposEventStore;
    registry: Registry;
    worker: DeliveryWorker;
    hub: StreamHub;
    now?: () => Date;
}
export declare function eventRoutes(app: FastifyInstance, d: EventRouteDeps): void;
