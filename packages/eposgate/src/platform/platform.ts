// The composition root: builds the store, services, HTTP server and gateway from options,
// and owns their start and stop.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { KeyService } from './auth/keys.ts';
import { Listener } from './server/listener.ts';
import { lockDataDir, type DataDirLock } from './dataDirLock.ts';
import { SecretBox } from './auth/secrets.ts';
import { Registry } from './registry/registry.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { authenticatedRoutes, buildApp, operatorRoutes, publicRoutes } from './server/app.ts';
import { OperatorAccess } from './server/operatorAccess.ts';
import { readinessRoute } from './server/readiness.ts';
import { adminRoutes, whoamiRoutes } from './routes/admin.ts';
import { metricsRoute } from './server/metricsAccess.ts';
import { consoleRoutes } from './server/console.ts';
import type { RateLimitOptions } from './server/rateLimit.ts';
import type { SqliteStoreOptions } from './store/sqlite/index.ts';
import type { PostgresStoreOptions } from './store/postgres/index.ts';
import { openStore, parseStoreUrl, type StoreLocation } from './store/open.ts';
import type { Store } from './store/store.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { ValidatorWarmup } from '@eposgate/contract';
import { Metrics } from './dispatch/metrics.ts';
import { dataRoutes } from './proxy/routes.ts';
import { EposGateway, WsTransport } from './transports/ws/index.ts';
import { RestTransport } from './transports/rest.ts';
import { Tester } from './tester/runner.ts';
import { testerRoutes } from './tester/routes.ts';
import { FlowTakeover } from './tester/takeover.ts';
import { Events } from './events/index.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { Retention } from './retention.ts';
import { StopGate } from './server/stopGate.ts';
import { msLeft, settleWithin } from './deadline.ts';
import { openBus, type Bus } from './bus/index.ts';
import { shareInvalidations } from './bus/invalidation.ts';
import { ClusterWsTransport } from './transports/ws/clusterTransport.ts';
import { ConnectionDirectory } from './health/connections.ts';
import { healthRoutes } from './health/routes.ts';
import { tenantKey, type Tenant } from './tenant.ts';
import { CallLog } from './calllog/recorder.ts';
import { callLogRoutes } from './calllog/routes.ts';

export interface StartPlatformOptions {
  /** The embedded store's data directory: the same as `database: 'sqlite:<dataDir>'`. */
  dataDir?: string;
  /** The store as a URL (store/open.ts): `sqlite:./data`, or `postgres://…` for cluster mode. Wins over dataDir. */
  database?: string;
  /** This node's id in a cluster (letters, digits, "_", "-"): the bus, flows and outbox leases name it. Default: random. */
  nodeId?: string;
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
  /**
   * Events to EPOSes: events dead-lettered after the maximum attempts, in a row, after which the
   * tenant's deliveries are paused until resumed by hand (docs/events.md, "Pause"). 0: never. Default 3.
   */
  eventPauseAfterDeadLetters?: number;
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
  /** Operator token for GET /metrics (else EPOSGATE_METRICS_TOKEN); without one (nor an admin token), only loopback callers get it. */
  metricsToken?: string;
  /**
   * The operator's bearer token (else EPOSGATE_ADMIN_TOKEN): opens /admin/*, /metrics, and every
   * tenant-scoped route for the tenant named in `eposgate-tenant` (docs/operations.md). Without one
   * there is no operator access.
   */
  adminToken?: string;
  /** Longest the store may take to answer GET /readyz's check and a scrape's store-backed gauges. Default 1000 ms. */
  storeCheckTimeoutMs?: number;
  /** The embedded store: durability (default `full`, docs/durability.md) and group commit. */
  store?: SqliteStoreOptions;
  /** How long close() lets calls in flight finish before failing them (drain). Default 10 s. */
  drainDeadlineMs?: number;
  /**
   * The cluster bus: a Bus, or a NATS URL (nats://host:4222) to join the nodes on it. Default: the
   * in-process bus of a single node ($EPOSGATE_NATS_URL is read by the CLI, not here). The platform
   * closes it on close.
   */
  bus?: Bus | string;
  /** Cluster: a cached registration is read again after this long, should an invalidation be lost. Default 5000 ms. */
  registryCacheTtlMs?: number;
  /** The PostgreSQL store: pool size and connect timeout. */
  postgres?: PostgresStoreOptions;
  /** Where the built web console is (index.html, app.js, app.css). Default: the package's dist/console. */
  consoleDir?: string;
  /** Record every EPOS call in the call log (docs/call-log.md). Default true; false: GET /epos/logs answers an empty log. */
  callLog?: boolean;
}

export interface DrainOptions {
  /** Calls still in flight this long after the drain began fail with PLATFORM_STOPPING. Default `drainDeadlineMs`. */
  deadlineMs?: number;
}

export interface Platform {
  app: FastifyInstance;
  store: Store;
  keys: KeyService;
  registry: Registry;
  gateway: EposGateway;
  dispatcher: Dispatcher;
  /** Compiles the validators of registered capabilities ahead of their first call. */
  warmup: ValidatorWarmup;
  metrics: Metrics;
  tester: Tester;
  events: Events;
  retention: Retention;
  /** The call log's writer; absent when `callLog: false`. */
  callLog?: CallLog;
  logger: Logger;
  limits: Limits;
  bus: Bus;
  /** Base URL once listening, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /**
   * Stops the platform without failing the calls in flight (docs/cluster.md, "Drain"): new requests
   * and EPOS sockets are refused with 503 PLATFORM_STOPPING, each EPOS socket closes with 1012 once
   * its calls have answered, then the store is flushed and closed. Past the deadline whatever is
   * left fails with PLATFORM_STOPPING. Calling it again answers the same promise.
   */
  drain(opts?: DrainOptions): Promise<void>;
  /** drain() with the default deadline. */
  close(): Promise<void>;
}

/** How long a drain waits past its deadline for the work cut there to record itself, and for closing (docs/cluster.md, "Drain"). */
const AFTER_DEADLINE_MS = 2_000;
/** The least the store's close gets, however late (see drain). */
const STORE_CLOSE_FLOOR_MS = 2_000;
/** Distinct capability lists read at start to compile their checks ahead (one query, bounded). */
const WARMUP_LISTS = 10_000;

export const DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  callTimeoutMs: 10_000,
  drainDeadlineMs: 10_000,
  eventPauseAfterDeadLetters: 3,
} as const;

/**
 * Starts a platform on its store. An embedded one (SQLite) holds its data directory alone until
 * close (dataDirLock.ts); a PostgreSQL one shares its store with the other nodes of the cluster.
 */
export async function startPlatform(opts: StartPlatformOptions): Promise<Platform> {
  const where = storeOf(opts);
  let lock: DataDirLock | undefined;
  if (where.kind === 'sqlite') {
    mkdirSync(where.dataDir, { recursive: true });
    lock = lockDataDir(where.dataDir, { port: opts.port ?? DEFAULTS.port });
  }
  let platform: Platform;
  let bus: Bus | undefined;
  try {
    const secrets = where.kind === 'postgres'
      ? new SecretBox(Buffer.from(clusterSecretKey(opts), 'base64'))
      : SecretBox.load(where.dataDir, opts.secretKey);
    checkClusterPair(where, opts.bus);
    bus = await openBus(opts.bus, opts.nodeId);
    platform = await assemble(opts, where, { secrets, bus, ...(lock ? { lock } : {}) });
  } catch (err) {
    // The platform owns a bus it was given, as it would have on close.
    await (bus ?? (typeof opts.bus === 'object' ? opts.bus : undefined))?.close();
    lock?.release();
    throw err;
  }
  if (!lock) return platform;
  const held = lock;
  const drain = platform.drain.bind(platform);
  let released: Promise<void> | undefined;
  platform.drain = (o) => (released ??= drain(o).finally(() => held.release()));
  return platform;
}

function storeOf(opts: StartPlatformOptions): StoreLocation {
  if (opts.database !== undefined) return parseStoreUrl(opts.database);
  if (opts.dataDir !== undefined) return { kind: 'sqlite', dataDir: opts.dataDir };
  throw new Error('startPlatform needs a store: database (sqlite:DIR or postgres://…) or dataDir');
}

/**
 * A shared store and a cluster bus go together: nodes on one PostgreSQL store with no bus could not
 * route calls to each other's sockets nor drop each other's stale caches; nodes on a bus with
 * their own SQLite stores would each have their own keys, registrations, events and flows.
 */
function checkClusterPair(where: StoreLocation, bus: Bus | string | undefined): void {
  const clustered = typeof bus === 'string' || bus?.clustered === true;
  if (where.kind === 'postgres' && !clustered) {
    throw new Error('a PostgreSQL store (cluster mode) needs the cluster bus: give --nats nats://host:4222 (or EPOSGATE_NATS_URL), '
      + 'the same on every node sharing this store; without it a node cannot reach the EPOS sockets held by the others, '
      + 'nor tell them about registration changes and revoked keys');
  }
  if (where.kind === 'sqlite' && clustered) {
    throw new Error('a NATS bus (cluster mode) needs the shared PostgreSQL store: give --database postgres://user@host:5432/db '
      + '(or EPOSGATE_DATABASE_URL), the same on every node; with the embedded SQLite store each node would keep its own keys, '
      + 'registrations, events and flows');
  }
}

/** Every node must open the REST passwords the others sealed, and there is no data dir to keep a key in. */
function clusterSecretKey(opts: StartPlatformOptions): string {
  const key = opts.secretKey ?? process.env.EPOSGATE_SECRET_KEY;
  if (!key) {
    throw new Error('a PostgreSQL store (cluster mode) needs EPOSGATE_SECRET_KEY (base64, 32 bytes), the same on every node: '
      + 'each node must open the REST passwords the others stored, and there is no data directory to keep secret.key in. '
      + 'Make one with: openssl rand -base64 32');
  }
  return key;
}

async function assemble(opts: StartPlatformOptions, where: StoreLocation, held: { lock?: DataDirLock; secrets: SecretBox; bus: Bus }): Promise<Platform> {
  const { lock, secrets, bus } = held;
  const nodeId = bus.nodeId;
  const logger = opts.logger ?? pino({ level: 'silent' });
  const limits = resolveLimits({
    ...opts.limits,
    ...(opts.bodyLimit !== undefined ? { bodyBytes: opts.bodyLimit } : {}),
    ...(opts.rateLimit ? { requestsPerSecond: opts.rateLimit.perSecond, requestBurst: opts.rateLimit.burst } : {}),
    ...(opts.maxFrameBytes !== undefined ? { frameBytes: opts.maxFrameBytes } : {}),
  });
  const store = await openStore(where, {
    ...(opts.store ? { sqlite: opts.store } : {}), ...(opts.postgres ? { postgres: opts.postgres } : {}),
  });
  const forbidPrivateTargets = opts.forbidPrivateTargets ?? process.env.EPOSGATE_FORBID_PRIVATE_TARGETS === '1';
  const keys = new KeyService(store.keys);
  const registry = new Registry(store.integrations, secrets);
  if (bus.clustered) {
    registry.expireCacheAfter(opts.registryCacheTtlMs ?? 5000);
    shareInvalidations(bus, registry, keys);
  }

  const gate = new StopGate();
  const metrics = new Metrics();
  const app = buildApp({
    logger,
    keys,
    limits,
    gate,
    metrics,
  });

  const gateway = new EposGateway({
    authenticate: (req) => keys.authenticate(req.headers),
    logger: logger.child({ component: 'ws' }),
    ...(opts.pingIntervalMs ? { pingIntervalMs: opts.pingIntervalMs } : {}),
    maxPayload: limits.frameBytes,
    limits,
  });
  gateway.attach(app.server);
  keys.on('revoked', (keyId) => gateway.closeKey(keyId));
  const callLog = opts.callLog === false ? undefined
    : new CallLog({ store: store.calls, node: nodeId, limits, logger: logger.child({ component: 'calllog' }) });
  metrics.callLogDropped = () => callLog?.dropped ?? 0;
  const rest = new RestTransport({
    resolve: (t) => registry.restTarget(t), logger: logger.child({ component: 'rest' }),
    guardTarget: (t) => t.env === 'production' || forbidPrivateTargets, excerptChars: limits.errorExcerptChars,
  });
  const grace = opts.connectGraceMs !== undefined ? { connectGraceMs: opts.connectGraceMs } : {};
  const localWs = new WsTransport(gateway, grace);
  // A single node routes nothing: its calls go straight to the local socket.
  const ws = bus.clustered ? new ClusterWsTransport(localWs, gateway, bus, grace) : localWs;
  const dispatcher = new Dispatcher({
    registry,
    ws,
    rest,
    wsConnected: ws instanceof ClusterWsTransport ? (t) => ws.connected(t) : (t) => gateway.isConnected(t),
    metrics,
    timeoutMs: opts.callTimeoutMs ?? DEFAULTS.callTimeoutMs,
    validateResults: opts.validateResults ?? true,
    excerptChars: limits.errorExcerptChars,
    ...(callLog ? { callLog } : {}),
  });
  // What tenants registered is compiled ahead of their first calls: all of it at start (one query
  // for the distinct lists), and a tenant's list again when a PUT writes it. Not on each EPOS's
  // connect: that would read every connecting tenant's registration into the registry's cache
  // (~1.1 KB of heap an idle socket in B3, BENCHMARKS.md tenth pass).
  const warmup = new ValidatorWarmup({ params: true, result: opts.validateResults ?? true });
  store.integrations.capabilityNames(WARMUP_LISTS).then((names) => warmup.prepare(names), (err: unknown) => {
    logger.warn({ err }, 'could not read the registered capabilities to compile their checks ahead; they compile on first use');
  });
  registry.onChange((tenant) => {
    registry.registeredNames(tenant).then((names) => warmup.prepare(names), () => {});
  });
  const tester = new Tester({
    store: store.flows, dispatcher, registry, logger: logger.child({ component: 'tester' }), wire: gateway,
    ...(opts.testerCallTimeoutMs !== undefined ? { callTimeoutMs: opts.testerCallTimeoutMs } : {}),
    ...(opts.testerFlowTimeoutMs !== undefined ? { flowTimeoutMs: opts.testerFlowTimeoutMs } : {}),
    flowsPerTenant: limits.flowsPerTenant, node: nodeId,
  });
  const events = new Events({
    store, registry, dispatcher, gateway, logger,
    retry: { baseMs: opts.eventRetryBaseMs, maxMs: opts.eventRetryMaxMs, maxAttempts: opts.eventMaxAttempts },
    callTimeoutMs: opts.callTimeoutMs ?? DEFAULTS.callTimeoutMs,
    ...(opts.sseKeepAliveMs ? { sseKeepAliveMs: opts.sseKeepAliveMs } : {}),
    streamLimits: limits, node: nodeId, deliveryLimits: limits,
    pauseAfterDeadLetters: opts.eventPauseAfterDeadLetters ?? DEFAULTS.eventPauseAfterDeadLetters, ...(bus.clustered ? { bus, presence: bus.presence } : {}),
  });
  keys.on('revoked', (keyId) => events.hub.closeKey(keyId));
  const connections = new ConnectionDirectory(gateway, bus);
  const adminToken = opts.adminToken ?? (process.env.EPOSGATE_ADMIN_TOKEN || undefined);
  const storeCheckTimeoutMs = opts.storeCheckTimeoutMs ?? 1000;
  const operator = new OperatorAccess({
    token: adminToken, perSecond: limits.operatorRequestsPerSecond, burst: limits.operatorRequestBurst,
    tenantExists: (t) => store.keys.tenantExists(t),
  });
  const metricsLog = logger.child({ component: 'metrics' });
  metrics.observe({
    sockets: () => gateway.registry.all().reduce((n, c) => n + (c.open ? 1 : 0), 0),
    sseStreams: () => events.hub.total,
    frames: () => gateway.stats,
    outbox: () => store.outbox.countByStatus(),
    storeTimeoutMs: storeCheckTimeoutMs,
    onError: (what, err) => metricsLog.warn({ err, metric: what }, 'a metric could not be read for this scrape'),
  });
  /** This node's open sockets of the tenant, plus one per other node that holds some. */
  const socketsOf = (t: Tenant) => gateway.connectionCount(t) + (bus.clustered ? bus.presence.holders(tenantKey(t)).length : 0);
  // The two route contexts: public routes guard themselves; the rest need an API key (server/app.ts).
  void app.register(publicRoutes, {
    routes: [
      (scope) => metricsRoute(scope, () => metrics.prometheus(), [opts.metricsToken ?? process.env.EPOSGATE_METRICS_TOKEN, adminToken]),
      (scope) => readinessRoute(scope, {
        store: () => store.ping(), draining: () => gate.stopped, timeoutMs: storeCheckTimeoutMs,
        ...(bus.clustered ? { bus: () => bus.connected } : {}),
      }),
      (scope) => consoleRoutes(scope, opts.consoleDir),
    ],
  });
  void app.register(operatorRoutes, {
    operator,
    routes: [(scope) => adminRoutes(scope, { keys: store.keys, integrations: store.integrations, calls: store.calls, sockets: socketsOf })],
  });
  void app.register(authenticatedRoutes, {
    keys, limits, operator,
    routes: [
      (scope) => whoamiRoutes(scope),
      (scope) => integrationRoutes(scope, registry, limits),
      (scope) => dataRoutes(scope, dispatcher),
      (scope) => testerRoutes(scope, tester),
      (scope) => events.routes(scope),
      (scope) => healthRoutes(scope, { registry, flows: store.flows, connections }),
      (scope) => callLogRoutes(scope, store.calls, limits),
    ],
  });

  try {
    await app.listen({ port: opts.port ?? DEFAULTS.port, host: opts.host ?? DEFAULTS.host });
  } catch (err) {
    await rest.close();
    await store.close();
    throw err;
  }
  const addr = app.server.address() as AddressInfo;
  const listener = new Listener(app.server);
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
  lock?.setPort(addr.port);
  // Only now, listening and holding the data dir, are IN_PROGRESS flows known to be a dead platform's.
  // In a cluster the other nodes' flows may be running: only this node's own (from before its
  // restart) are known dead here.
  await tester.recover(lock ? undefined : { only: nodeId });
  const takeover = bus.clustered ? new FlowTakeover({ tester, flows: store.flows, presence: bus.presence, self: nodeId, log: logger.child({ component: 'tester' }) }) : undefined;
  takeover?.start();
  // Likewise the outbox's leases: the attempts they guarded died with that platform, and each would
  // hold its tenant's queue until the lease ran out (the call timeout and 5 s). Due again now.
  const released = await store.outbox.releaseLeases(Date.now(), lock ? undefined : nodeId);
  if (released) logger.info({ events: released }, 'deliveries interrupted by the last stop are due again');
  events.start();
  const retention = new Retention({ store, limits, logger: logger.child({ component: 'retention' }), onExpired: () => events.worker.kick() });
  retention.start();
  keys.watchRevocations(opts.revocationPollMs ?? 500);
  let draining: Promise<void> | undefined;
  const drain = async (deadlineMs: number): Promise<void> => {
    const deadline = Date.now() + deadlineMs;
    // Past the deadline the work cut there records itself (a cancelled delivery is put back, a
    // flow stored FAILURE) and the sockets left are cut: AFTER_DEADLINE_MS, then nothing waits.
    const cutoff = deadline + AFTER_DEADLINE_MS;
    const cut: string[] = [];
    /** Waits for `work` `ms` at most; past that, names it in the log and lets `abort` drop what it held. */
    const step = async (what: string, work: Promise<unknown>, ms: number, abort?: () => void): Promise<void> => {
      if (await settleWithin(work, ms)) return;
      cut.push(what);
      logger.warn({ step: what, waitedMs: ms }, `draining: ${what} did not finish in time; cut short`);
      abort?.();
    };
    logger.info({ deadlineMs }, 'draining: refusing new calls and sockets, finishing those in flight');
    gate.stop();
    warmup.stop();
    // Peers stop routing new calls here; calls they forwarded already still get their answer.
    bus.presence.detach(true);
    // Sockets first: from here no upgrade is taken and each socket closes (1012) once its calls answered.
    const sockets = gateway.drain(deadlineMs);
    // Side by side: a takeover stuck on the store must not keep this node's flows running.
    await Promise.all([
      takeover ? step('flow takeover', takeover.stop(), msLeft(cutoff)) : undefined,
      step('tester flows', tester.close(), msLeft(cutoff)),
    ]);
    await Promise.all([
      // Deliveries may finish until the deadline, are cancelled there, and then write that down.
      step('event deliveries', events.stop(deadlineMs), msLeft(cutoff)),
      settleWithin(gate.idle(), msLeft(deadline)),
      // The gateway cuts the sockets left at deadline + 2 s itself: a little later here, so that
      // cut is not reported as one of ours.
      step('EPOS sockets', sockets, msLeft(cutoff) + 500),
    ]);
    // Answers failed at the deadline leave before the server cuts its connections.
    await settleWithin(gate.idle(), 500);
    keys.stopWatching();
    // From here only closing is left; it has until the cutoff, and AFTER_DEADLINE_MS at least
    // should the steps above have used it all.
    const closeBy = Math.max(cutoff, Date.now() + AFTER_DEADLINE_MS);
    await Promise.all([
      step('retention', retention.stop(), msLeft(closeBy)),
      // Every call has answered by now: what they left in the queue is written before the store closes.
      callLog ? step('call log', callLog.close(), msLeft(closeBy)) : undefined,
    ]);
    await listener.stop();
    await step('HTTP server', app.close(), msLeft(closeBy));
    await listener.closed();
    // The store closes after the call log took its last batch. It gets STORE_CLOSE_FLOOR_MS even
    // when the steps before used the time: a live PostgreSQL ends its connections in milliseconds,
    // so only one that stopped answering is cut, and cutting it loses nothing acknowledged (a write
    // is answered only once committed). SQLite's close is synchronous (it commits the open
    // group-commit batch): no bound can cut it.
    await Promise.all([
      step('REST transport', rest.close(), msLeft(closeBy), () => rest.abort()),
      step('bus', bus.close(), msLeft(closeBy), () => bus.abort()),
      step('store', store.close(), Math.max(msLeft(closeBy), STORE_CLOSE_FLOOR_MS), () => store.abort()),
    ]);
    logger.info({ requestsLeft: gate.requestsInFlight, ...(cut.length > 0 ? { cutShort: cut } : {}) }, 'drained');
  };
  const platform: Platform = {
    app, store, keys, registry, gateway, dispatcher, warmup, metrics, events, retention, tester, logger, limits, bus, url, port: addr.port,
    ...(callLog ? { callLog } : {}),
    drain(o: DrainOptions = {}) {
      draining ??= drain(o.deadlineMs ?? opts.drainDeadlineMs ?? DEFAULTS.drainDeadlineMs);
      return draining;
    },
    // Through the property, so startPlatform's wrapping (the lock's release) applies.
    close: () => platform.drain(),
  };
  return platform;
}
