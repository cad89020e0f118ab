import { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { KeyService } from './auth/keys.ts';
import { Registry } from './registry/registry.ts';
import type { RateLimitOptions } from './server/rateLimit.ts';
import { SqliteStore, type SqliteStoreOptions } from './store/sqlite/index.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { Metrics } from './dispatch/metrics.ts';
import { EposGateway } from './transports/ws/index.ts';
import { Tester } from './tester/runner.ts';
import { Events } from './events/index.ts';
import { type Limits } from './limits.ts';
import { Retention } from './retention.ts';
export interface PlatformOptions {
    dataDir: string;
    port?: number;
    host?: string;
    logger?: Logger;
    /** Largest request body accepted, bytes. */
    bodyLimit?: number;
    rateLimit?: RateLimitOptions;
    /** Default time an EPOS has to answer a call. */
    callTimeoutMs?: number;
    /** How long a call waits for an EPOS socket to (re)connect before EPOS_NOT_CONNECTED. */
    connectGraceMs?: number;
    /** WebSocket keep-alive ping period. */
    pingIntervalMs?: number;
    /** Largest WebSocket frame accepted from an EPOS, bytes. */
    maxFrameBytes?: number;
    /** Validate results returned by EPOSes against the contract (params are always validated). */
    validateResults?: boolean;
    /** Tester flows: time the EPOS has to answer each call (default callTimeoutMs). */
    testerCallTimeoutMs?: number;
    /** Tester flows: time a whole flow may take before it is TIMED_OUT (default 5 min). */
    testerFlowTimeoutMs?: number;
    /** Events to EPOSes: delay after the first failed delivery, doubling up to eventRetryMaxMs. Default 500 ms. */
    eventRetryBaseMs?: number;
    /** Events to EPOSes: longest delay between attempts. Default 5 min. */
    eventRetryMaxMs?: number;
    /** Events to EPOSes: attempts before an event is dead-lettered as `failed`. Default 20. */
    eventMaxAttempts?: number;
    /** Keep-alive comment period of GET /epos/events/stream. Default 15 s. */
    sseKeepAliveMs?: number;
    /** Sizes, counts, rates and ages (limits.ts, docs/limits.md); `bodyLimit`, `rateLimit` and `maxFrameBytes` above win when given. */
    limits?: Partial<Limits>;
    /** How often revocations made by another process (`eposgate keys revoke`) are looked for. Default 500 ms. */
    revocationPollMs?: number;
    /** Refuse private, loopback and reserved REST targets in sandbox too, as always in production (hosted sandboxes). Default $EPOSGATE_FORBID_PRIVATE_TARGETS=1. */
    forbidPrivateTargets?: boolean;
    /** The key that seals REST passwords (base64, 32 bytes). Default $EPOSGATE_SECRET_KEY, else DATA/secret.key. */
    secretKey?: string;
    /** Operator token for GET /metrics (else EPOSGATE_METRICS_TOKEN); without one, only loopback callers get it. */
    metricsToken?: string;
    /** The embedded store: durability (default `full`, docs/durability.md) and group commit. */
    store?: SqliteStoreOptions;
}
export interface Platform {
    app: FastifyInstance;
    store: SqliteStore;
    keys: KeyService;
    registry: Registry;
    gateway: EposGateway;
    dispatcher: Dispatcher;
    metrics: Metrics;
    tester: Tester;
    events: Events;
    retention: Retention;
    logger: Logger;
    limits: Limits;
    /** Base URL once listening, e.g. http://127.0.0.1:8080 */
    url: string;
    port: number;
    close(): Promise<void>;
}
export declare const DEFAULTS: {
    readonly port: 8080;
    readonly host: "127.0.0.1";
    readonly callTimeoutMs: 10000;
};
/** Starts a platform on its data directory, which it holds alone until close (dataDirLock.ts). */
export declare function startPlatform(opts: PlatformOptions): Promise<Platform>;
