// The HTTP server: fastify with JSON errors, a trace id on every response, body and rate limits,
// route schemas, and two encapsulated contexts: public routes, and routes behind an API key.
import { randomBytes } from 'node:crypto';
import Fastify, { LogController, type onSendHookHandler, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Logger } from 'pino';
import { PlatformError, validationFailed } from '../errors.ts';
import type { KeyService } from '../auth/keys.ts';
import type { Caller } from '../tenant.ts';
import { installErrorHandling, toPlatformError } from './errorHandler.ts';
import { RateLimiter } from './rateLimit.ts';
import { installJsonBody, isIdField } from './jsonBody.ts';
import { installOpenApi } from './openapi.ts';
import type { Limits } from '../limits.ts';
import { installValidation } from './validation.ts';
import type { StopGate } from './stopGate.ts';
import type { OperatorAccess } from './operatorAccess.ts';
import type { Metrics } from '../dispatch/metrics.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export interface AppOptions {
  logger: Logger;
  keys: KeyService;
  limits: Limits;
  /** Refuses requests once the platform drains, and counts those in flight (stopGate.ts). */
  gate?: StopGate;
  /** Times every request by method, route pattern and status class (never the raw URL: cardinality). */
  metrics?: Metrics;
}

const TRACE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * A generated trace id: 48 random bits drawn once per process, then a counter. Unique across
 * processes and restarts but for a 1 in 2^48 draw; a UUID per request cost ~0.4 µs of every
 * request (B2). Trace ids are for finding a request in logs, not secrets.
 */
const TRACE_PREFIX = randomBytes(6).toString('hex');
let traceCounter = 0;
function newTraceId(): string {
  traceCounter = (traceCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${TRACE_PREFIX}-${traceCounter.toString(36)}`;
}

/** Routes of one module, declared into the context it is registered in. */
export type RouteSet = (scope: FastifyInstance) => void;

export function buildApp(opts: AppOptions): FastifyInstance {
  const logsAnything = opts.logger.isLevelEnabled('fatal');
  const app = Fastify({
    // A logger that logs nothing is not given to fastify: with one, fastify makes a child logger and
    // listens for each response's end on every request, for lines never written (B2).
    ...(logsAnything ? { loggerInstance: opts.logger as FastifyBaseLogger } : {}),
    bodyLimit: opts.limits.bodyBytes,
    // Node's own clock on reading a request: a client that dribbles its headers or body gets 408
    // and its socket closed (slowloris). Streams and slow EPOS answers are not affected: the
    // timer stops once the request is read.
    requestTimeout: opts.limits.bodyReadTimeoutMs,
    // Path parameters are bounded by limits.idChars in onRequest, with our error; the router's own
    // cap (100) would answer 414 echoing the whole URL. Node's header limit (16 KB) bounds the URL.
    routerOptions: { maxParamLength: 65_536 },
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'traceId' }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-trace-id'];
      return typeof given === 'string' && TRACE_ID.test(given) ? given : newTraceId();
    },
    // The gate refuses requests from the start of a drain on, with our PLATFORM_STOPPING body.
    return503OnClosing: false,
    forceCloseConnections: true,
    // Errors fastify raises before routing (a path with broken percent-encoding) leave in our shape
    // too, without quoting the URL back.
    frameworkErrors: (err, req, reply) => {
      const pe = err.code === 'FST_ERR_BAD_URL'
        ? new PlatformError('BAD_REQUEST', 'The request path is not validly percent-encoded (RFC 3986)')
        : toPlatformError(err);
      const r = reply as unknown as FastifyReply;
      void r.code(pe.status).header('x-trace-id', req.id).type('application/json').send(pe.toJSON(req.id));
    },
    // A per-request child logger (with the trace id bound) only when something will be logged:
    // building one costs on every request even when pino drops every line.
    childLoggerFactory: (logger, bindings, childOpts) => (logsAnything ? logger.child(bindings, childOpts) : logger),
  });
  // headersTimeout must not exceed requestTimeout, and Node checks both only every
  // connectionsCheckingInterval (30 s by default): read when the server starts listening.
  app.server.headersTimeout = Math.min(app.server.headersTimeout, opts.limits.bodyReadTimeoutMs);
  (app.server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.max(50, Math.min(1000, Math.floor(opts.limits.bodyReadTimeoutMs / 4)));
  if (opts.metrics) timeRoutes(app, opts.metrics);
  installErrorHandling(app);
  installJsonBody(app, opts.limits);
  installValidation(app);
  installOpenApi(app);
  app.decorateRequest('caller', null as unknown as Caller);
  // Every answer carries the trace id, 404s and errors raised before routing included.
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-trace-id', req.id);
    try {
      opts.gate?.admit(req, reply);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });
  if (opts.gate) {
    const gate = opts.gate;
    // A callback hook: an async one costs a promise on every answer.
    app.addHook('onSend', (_req, reply, payload, done) => {
      gate.closeConnection(reply);
      done(null, payload);
    });
  }
  // One access line per request, when info is logged at all.
  if (opts.logger.isLevelEnabled('info')) {
    app.addHook('onResponse', (req, reply, done) => {
      req.log.info({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime),
        account: req.caller?.accountId, env: req.caller?.env, softwareHouseId: req.caller?.softwareHouseId }, 'request');
      done();
    });
  }

  return app;
}

/**
 * Each route gets its own onResponse hook holding its timings, resolved when the route is declared:
 * per request no route lookup, no label object and no promise (a callback hook). Requests that
 * match no route are not timed.
 */
function timeRoutes(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRoute', (route) => {
    const timings = metrics.route([route.method].flat().join(','), route.url);
    // Timed when the answer is handed to the socket (onSend): an onResponse hook would make fastify
    // listen for every response's end, ~1 µs a request (B2). An event stream is timed to its start.
    const hook: onSendHookHandler = (_req, reply, payload, done) => {
      timings.record(reply.statusCode, reply.elapsedTime);
      done(null, payload);
    };
    route.onSend = route.onSend ? [...[route.onSend].flat(), hook] : [hook];
  });
}

/** Routes anyone may call: each guards itself if it must (GET /metrics takes the operator token). */
export const publicRoutes: FastifyPluginAsync<{ routes: RouteSet[] }> = async (scope, { routes }) => {
  scope.get('/healthz', { schema: { security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  for (const r of routes) r(scope);
};

export interface AuthenticatedOptions {
  keys: KeyService;
  operator: OperatorAccess;
  limits: Pick<Limits, 'requestsPerSecond' | 'requestBurst' | 'idChars'>;
  routes: RouteSet[];
}

/**
 * Routes behind an API key: the caller is known, rate-limited per key, and sees only its tenant.
 * The operator's bearer token (with the tenant named in a header) is taken in place of a key.
 */
export const authenticatedRoutes: FastifyPluginAsync<AuthenticatedOptions> = async (scope, { keys, operator, limits, routes }) => {
  const limiter = new RateLimiter({ perSecond: limits.requestsPerSecond, burst: limits.requestBurst });
  const { idChars } = limits;
  /** The caller of a request whose key is not cached (or the operator's); throws what refuses it. */
  const callerOf = async (req: FastifyRequest, reply: FastifyReply, asOperator: boolean): Promise<Caller> => {
    if (!asOperator) return keys.authenticate(req.headers);
    operator.check(req.headers, (wait) => void reply.header('retry-after', String(wait)));
    return operator.caller(req.headers);
  };
  /** Rate limit (keys only) and id bounds, once the caller is known; throws what refuses the request. */
  const admit = (req: FastifyRequest, reply: FastifyReply, caller: Caller, asOperator: boolean): void => {
    req.caller = caller;
    if (!asOperator && !limiter.take(caller.keyId)) {
      const wait = limiter.retryAfterSeconds(caller.keyId);
      void reply.header('retry-after', String(wait));
      throw new PlatformError('RATE_LIMITED', `Too many requests for this API key; retry in ${wait} s`);
    }
    // Every path parameter is an id (order, party, event, flow…), and so is an id in the query:
    // bounded like ids in bodies, before any schema (the /epos/data routes have none of ours).
    const params = req.params as Record<string, unknown> | undefined;
    for (const name in params) checkId(`$.path.${name}`, params[name], idChars);
    const query = req.query as Record<string, unknown> | undefined;
    for (const name in query) {
      if (isIdField(name)) for (const v of [query[name]].flat()) checkId(`$.query.${name}`, v, idChars);
    }
  };
  // A callback hook: a key cached within its TTL is checked without a promise (B2); the rest wait.
  scope.addHook('onRequest', (req, reply, done) => {
    const asOperator = operator.claims(req.headers);
    const now = asOperator ? undefined : keys.authenticateNow(req.headers);
    if (now) {
      admit(req, reply, now, false);
      done();
      return;
    }
    callerOf(req, reply, asOperator).then((caller) => {
      try {
        admit(req, reply, caller, asOperator);
      } catch (err) {
        done(err as Error);
        return;
      }
      done();
    }, done);
  });
  for (const r of routes) r(scope);
};

export interface OperatorOptions {
  operator: OperatorAccess;
  routes: RouteSet[];
}

/** Operator-only routes (/admin/…): the admin token and nothing else; an API key gets 403. */
export const operatorRoutes: FastifyPluginAsync<OperatorOptions> = async (scope, { operator, routes }) => {
  scope.addHook('onRequest', async (req, reply) => {
    if (req.headers.authorization && !operator.claims(req.headers) && /^\s*Basic\s/i.test(req.headers.authorization)) {
      throw new PlatformError('FORBIDDEN', 'this route is for the operator only: an API key cannot reach it (send "Authorization: Bearer <admin token>")');
    }
    operator.check(req.headers, (wait) => void reply.header('retry-after', String(wait)));
  });
  for (const r of routes) r(scope);
};

function checkId(path: string, value: unknown, idChars: number): void {
  if (typeof value === 'string' && value.length > idChars) {
    throw validationFailed([{
      path, message: `id of ${value.length} characters is longer than ${idChars} (limits.idChars)`,
      expected: `at most ${idChars} characters`, actual: `${value.length} characters`,
    }]);
  }
}
