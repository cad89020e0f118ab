// Every error leaves as JSON with a stable code and the trace id; never HTML, never a stack trace.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PlatformError, STOPPING_HEADERS, isPlatformError } from '../errors.ts';
import { storeFailure } from '../store/sqlite/db.ts';

export function toPlatformError(err: unknown): PlatformError {
  if (isPlatformError(err)) return err;
  const e = err as Partial<FastifyError> & { message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PlatformError('BODY_TOO_LARGE', 'Request body is larger than the limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new PlatformError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with "Content-Type: application/json"');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new PlatformError('INVALID_JSON', 'Body is empty but Content-Type is application/json: send a JSON body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new PlatformError('BAD_REQUEST', 'Content-Length does not match the body');
  }
  // A store failure not already mapped by the Writer (a read on a failing disk): 503, not 500.
  const stored = typeof e.code === 'string' ? storeFailure(e.code) : undefined;
  if (stored) return new PlatformError('STORE_UNAVAILABLE', stored);
  if (e.statusCode === 400 && (e.name === 'SyntaxError' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(e.message ?? ''))) {
    const why = e.message ?? '';
    return new PlatformError('INVALID_JSON', /not valid JSON/i.test(why) ? why : `Body is not valid JSON: ${why}`);
  }
  if (e.validation) return new PlatformError('VALIDATION_FAILED', e.message ?? 'invalid request');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new PlatformError('BAD_REQUEST', e.message ?? 'bad request', { status: e.statusCode });
  }
  return new PlatformError('INTERNAL', 'Internal error; quote the trace id when reporting it');
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const pe = toPlatformError(err);
    if (pe.status >= 500 && pe.code === 'INTERNAL') req.log.error({ err }, 'unhandled error');
    else req.log.info({ code: pe.code, status: pe.status }, pe.message);
    // This node takes no more calls: a load balancer (or the caller) goes to another node.
    if (pe.code === 'PLATFORM_STOPPING') void reply.headers(STOPPING_HEADERS);
    void reply.code(pe.status).type('application/json').send(pe.toJSON(req.id));
  });
  // Every route's path as a pattern, to tell a wrong method on a known path (405) from an unknown path (404).
  const routes: { pattern: RegExp; method: string }[] = [];
  app.addHook('onRoute', (r) => {
    const pattern = new RegExp(`^${r.url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : escapeRegExp(seg))).join('/')}$`);
    for (const m of [r.method].flat()) routes.push({ pattern, method: m });
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length) {
      const pe = new PlatformError('METHOD_NOT_ALLOWED', `${path} does not take ${req.method}; it takes ${allowed.join(', ')}`);
      void reply.code(405).header('allow', allowed.join(', ')).send(pe.toJSON(req.id));
      return;
    }
    const pe = new PlatformError('NOT_FOUND', `No route ${req.method} ${path}`);
    void reply.code(404).send(pe.toJSON(req.id));
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
