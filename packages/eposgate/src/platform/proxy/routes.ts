// The product-facing API: the EPOS REST contract mirrored under /epos/data, every call routed
// through invoke() to whichever transport the account's EPOS registered.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { EPOS_ERROR_STATUS, isEposError } from '@eposgate/contract';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import { PlatformError, isPlatformError, typeName } from '../errors.ts';
import { productPath, proxiedCapabilities } from './proxied.ts';
import { requestorFrom } from './requestor.ts';
import { dataRouteSchema, DOCUMENTED_ONLY } from './routeSchema.ts';

export function dataRoutes(app: FastifyInstance, dispatcher: Dispatcher): void {
  for (const cap of proxiedCapabilities()) {
    const route = cap.rest!;
    const where = productPath(cap);
    const { routeNames, paramNames } = where;
    app.route({
      method: route.method,
      url: where.path.replace(/\{(\w+)\}/g, ':$1'),
      schema: dataRouteSchema(cap, where),
      ...DOCUMENTED_ONLY,
      handler: async (req, reply) => {
        let params: Record<string, unknown> = {};
        if (route.method === 'POST' || route.method === 'PUT') {
          const body = req.body;
          if (body !== undefined && body !== null) {
            if (typeof body !== 'object' || Array.isArray(body)) {
              throw new PlatformError('VALIDATION_FAILED', `$: body of ${cap.name} must be a JSON object`, {
                details: [{ path: '$', message: 'body must be a JSON object', expected: 'object', actual: typeName(body) }],
              });
            }
            params = { ...(body as Record<string, unknown>) };
          }
        }
        const pathValues = req.params as Record<string, string>;
        for (let i = 0; i < paramNames.length; i++) params[paramNames[i]!] = pathValues[routeNames[i]!];
        try {
          const json = await dispatcher.invokeJson(req.caller, cap, params, requestorFrom(req.headers));
          return json === undefined ? reply.code(200).send() : reply.code(200).type('application/json').send(json);
        } catch (err) {
          return sendError(reply, err, req.id);
        }
      },
    });
  }
}

/** An EPOS's own error goes back as it sent it, with the status its type maps to. */
function sendError(reply: FastifyReply, err: unknown, traceId: string): FastifyReply {
  if (isPlatformError(err) && err.code === 'EPOS_ERROR' && isEposError(err.extra?.eposError)) {
    const e = err.extra.eposError;
    return reply.code(EPOS_ERROR_STATUS[e.errorType]).type('application/json').send({ ...e, traceId: e.traceId ?? traceId });
  }
  throw err;
}
