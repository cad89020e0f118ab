// The composition root: builds the store, services, HTTP server and gateway from options,
// and owns their start and stop.
import { mkdirSync } from 'node:fs';
import pino from 'pino';
import { KeyService } from "./auth/keys.js";
import { lockDataDir } from "./dataDirLock.js";
import { SecretBox } from "./auth/secrets.js";
import { Registry } from "./registry/registry.js";
import { integrationRoutes } from "./routes/integrations.js";
import { buildApp } from "./server/app.js";
import { metricsRoute } from "./server/metricsAccess.js";
import { SqliteStore } from "./store/sqlite/index.js";
import { Dispatcher } from "./dispatch/dispatcher.js";
import { Metrics } from "./dispatch/metrics.js";
import { dataRoutes } from "./proxy/routes.js";
import { EposGateway, WsTransport } from "./transports/ws/index.js";
import { RestTransport } from "./transports/rest.js";
import { Tester } from "./tester/runner.js";
import { testerRoutes } from "./tester/routes.js";
import { Events } from "./events/index.js";
import { resolveLimits } from "./limits.js";
import { Retention } from "./retention.js";
export const DEFAULTS = {
    port: 8080,
    host: '127.0.0.1',
    callTimeoutMs: 10_000,
};
/** Starts a platform on its data directory, which it holds alone until close (dataDirLock.ts). */
export async function startPlatform(opts) {
    mkdirSync(opts.dataDir, { recursive: true });
    const lock = lockDataDir(opts.dataDir, { port: opts.port ?? DEFAULTS.port });
    let platform;
    try {
        platform = await assemble(opts, lock);
    }
    catch (err) {
        lock.release();
        throw err;
    }
    const close = platform.close.bind(platform);
    platform.close = async () => {
        await close();
        lock.release();
    };
    return platform;
}
async function assemble(opts, lock) {
    const logger = opts.logger ?? pino({ level: 'silent' });
    const limits = resolveLimits({
        ...opts.limits,
        ...(opts.bodyLimit !== undefined ? { bodyBytes: opts.bodyLimit } : {}),
        ...(opts.rateLimit ? { requestsPerSecond: opts.rateLimit.perSecond, requestBurst: opts.rateLimit.burst } : {}),
        ...(opts.maxFrameBytes !== undefined ? { frameBytes: opts.maxFrameBytes } : {}),
    });
    const store = new SqliteStore(opts.dataDir, opts.store);
    const secrets = SecretBox.load(opts.dataDir, opts.secretKey);
    const forbidPrivateTargets = opts.forbidPrivateTargets ?? process.env.EPOSGATE_FORBID_PRIVATE_TARGETS === '1';
    const keys = new KeyService(store.keys);
    const registry = new Registry(store.integrations, secrets, limits);
    const app = buildApp({
        logger,
        keys,
        limits,
    });
    integrationRoutes(app, registry);
    const gateway = new EposGateway({
        authenticate: (req) => keys.authenticate(req.headers),
        logger: logger.child({ component: 'ws' }),
        ...(opts.pingIntervalMs ? { pingIntervalMs: opts.pingIntervalMs } : {}),
        maxPayload: limits.frameBytes,
        limits,
    });
    gateway.attach(app.server);
    keys.on('revoked', (keyId) => gateway.closeKey(keyId));
    const metrics = new Metrics();
    const rest = new RestTransport({
        resolve: (t) => registry.restTarget(t), logger: logger.child({ component: 'rest' }),
        guardTarget: (t) => t.env === 'production' || forbidPrivateTargets, excerptChars: limits.errorExcerptChars,
    });
    const dispatcher = new Dispatcher({
        registry,
        ws: new WsTransport(gateway, opts.connectGraceMs !== undefined ? { connectGraceMs: opts.connectGraceMs } : {}),
        rest,
        wsConnected: (t) => gateway.isConnected(t),
        metrics,
        timeoutMs: opts.callTimeoutMs ?? DEFAULTS.callTimeoutMs,
        validateResults: opts.validateResults ?? true,
        excerptChars: limits.errorExcerptChars,
    });
    dataRoutes(app, dispatcher);
    const tester = new Tester({
        store: store.flows, dispatcher, registry, logger: logger.child({ component: 'tester' }), wire: gateway,
        ...(opts.testerCallTimeoutMs !== undefined ? { callTimeoutMs: opts.testerCallTimeoutMs } : {}),
        ...(opts.testerFlowTimeoutMs !== undefined ? { flowTimeoutMs: opts.testerFlowTimeoutMs } : {}),
        flowsPerTenant: limits.flowsPerTenant,
    });
    testerRoutes(app, tester);
    const events = new Events({
        app, store, registry, dispatcher, gateway, logger,
        retry: { baseMs: opts.eventRetryBaseMs, maxMs: opts.eventRetryMaxMs, maxAttempts: opts.eventMaxAttempts },
        callTimeoutMs: opts.callTimeoutMs ?? DEFAULTS.callTimeoutMs,
        ...(opts.sseKeepAliveMs ? { sseKeepAliveMs: opts.sseKeepAliveMs } : {}),
        streamLimits: limits,
    });
    keys.on('revoked', (keyId) => events.hub.closeKey(keyId));
    metricsRoute(app, () => metrics.prometheus(), opts.metricsToken ?? process.env.EPOSGATE_METRICS_TOKEN);
    try {
        await app.listen({ port: opts.port ?? DEFAULTS.port, host: opts.host ?? DEFAULTS.host });
    }
    catch (err) {
        await rest.close();
        await store.close();
        throw err;
    }
    const addr = app.server.address();
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
    lock.setPort(addr.port);
    // Only now, listening and holding the data dir, are IN_PROGRESS flows known to be a dead platform's.
    await tester.recover();
    events.start();
    const retention = new Retention({ store, limits, logger: logger.child({ component: 'retention' }), onExpired: () => events.worker.kick() });
    retention.start();
    keys.watchRevocations(opts.revocationPollMs ?? 500);
    let closed = false;
    return {
        app, store, keys, registry, gateway, dispatcher, metrics, events, retention, tester, logger, limits, url, port: addr.port,
        async close() {
            if (closed)
                return;
            closed = true;
            keys.stopWatching();
            await retention.stop();
            await tester.close();
            await events.stop();
            await gateway.close();
            await app.close();
            await rest.close();
            await store.close();
        },
    };
}
