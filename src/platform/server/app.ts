// The HTTP server: fastify with JSON errors, a trace id on every response, body and rate limits,
// and authentication for every API route.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PlatformError } from '../errors.ts';
import type { KeyService } from '../auth/keys.ts';
import type { Caller } from '../tenant.ts';
import { installErrorHandling } from './errorHandler.ts';
import { RateLimiter, type RateLimitOptions } from './rateLimit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export interface AppOptions {
  logger: Logger;
  keys: KeyService;
  bodyLimit: number;
  rateLimit: RateLimitOptions;
}

const TRACE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Routes that do not need an API key. */
const PUBLIC = new Set(['/healthz', '/metrics', '/epos/data/openapi.json']);

export function buildApp(opts: AppOptions): FastifyInstance {
  const logsAnything = opts.logger.isLevelEnabled('fatal');
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'traceId' }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-trace-id'];
      return typeof given === 'string' && TRACE_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: true,
    // A per-request child logger (with the trace id bound) only when something will be logged:
    // building one costs on every request even when pino drops every line.
    childLoggerFactory: (logger, bindings, childOpts) => (logsAnything ? logger.child(bindings, childOpts) : logger),
  });
  installErrorHandling(app);
  const limiter = new RateLimiter(opts.rateLimit);

  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-trace-id', req.id);
    if (PUBLIC.has(routePath(req))) return;
    req.caller = await opts.keys.authenticate(req.headers);
    if (!limiter.take(req.caller.keyId)) {
      void reply.header('retry-after', '1');
      throw new PlatformError('RATE_LIMITED', 'Too many requests for this API key; slow down and retry');
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

function routePath(req: FastifyRequest): string {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
}
