// The HTTP server: fastify with JSON errors, a trace id on every response, body and rate limits,
// and authentication for every API route.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PlatformError } from '../errors.ts';
import type { KeyService } from '../auth/keys.ts';
import type { Caller } from '../tenant.ts';
import { installErrorHandling, toPlatformError } from './errorHandler.ts';
import { RateLimiter } from './rateLimit.ts';
import { installJsonBody, isIdField } from './jsonBody.ts';
import { installOpenApi, OPENAPI_PATHS } from './openapi.ts';
import type { Limits } from '../limits.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export interface AppOptions {
  logger: Logger;
  keys: KeyService;
  limits: Limits;
}

const TRACE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Routes that do not need an API key. */
const PUBLIC = new Set(['/healthz', '/metrics', ...OPENAPI_PATHS]);

export function buildApp(opts: AppOptions): FastifyInstance {
  const logsAnything = opts.logger.isLevelEnabled('fatal');
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
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
      return typeof given === 'string' && TRACE_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
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
  installErrorHandling(app);
  installJsonBody(app, opts.limits);
  installOpenApi(app, { isPublic: (url) => PUBLIC.has(url) });
  const limiter = new RateLimiter({ perSecond: opts.limits.requestsPerSecond, burst: opts.limits.requestBurst });
  const { idChars } = opts.limits;

  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-trace-id', req.id);
    // An unknown path is a 404 for anyone: asking for a key first would only confuse.
    if (req.is404 || PUBLIC.has(routePath(req))) return;
    req.caller = await opts.keys.authenticate(req.headers);
    if (!limiter.take(req.caller.keyId)) {
      const wait = limiter.retryAfterSeconds(req.caller.keyId);
      void reply.header('retry-after', String(wait));
      throw new PlatformError('RATE_LIMITED', `Too many requests for this API key; retry in ${wait} s`);
    }
    // Every path parameter is an id (order, party, event, flow…), and so is an id in the query:
    // bounded like ids in bodies.
    for (const [name, value] of Object.entries((req.params ?? {}) as Record<string, unknown>)) checkId(`$.path.${name}`, value, idChars);
    for (const [name, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
      if (isIdField(name)) for (const v of [value].flat()) checkId(`$.query.${name}`, v, idChars);
    }
  });
  // One access line per request, when info is logged at all.
  if (opts.logger.isLevelEnabled('info')) {
    app.addHook('onResponse', (req, reply, done) => {
      req.log.info({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime),
        account: req.caller?.accountId, env: req.caller?.env, softwareHouseId: req.caller?.softwareHouseId }, 'request');
      done();
    });
  }

  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}

function checkId(path: string, value: unknown, idChars: number): void {
  if (typeof value === 'string' && value.length > idChars) {
    throw new PlatformError('VALIDATION_FAILED', `${path}: id of ${value.length} characters is longer than ${idChars} (limits.idChars)`, {
      details: [{ path, message: `longer than ${idChars} characters`, expected: `at most ${idChars} characters`, actual: `${value.length} characters` }],
    });
  }
}

function routePath(req: FastifyRequest): string {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
}
