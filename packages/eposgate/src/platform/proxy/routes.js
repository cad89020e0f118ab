import { EPOS_ERROR_STATUS, isEposError } from '@eposgate/contract';
import { pathParamNames } from '@eposgate/contract';
import { PlatformError, isPlatformError } from "../errors.js";
import { typeName } from "../registry/body.js";
import { openApiDocument } from "./openapi.js";
import { DATA_PREFIX, proxiedCapabilities } from "./proxied.js";
import { requestorFrom } from "./requestor.js";
export function dataRoutes(app, dispatcher) {
    const doc = openApiDocument();
    app.get(`${DATA_PREFIX}/openapi.json`, async () => doc);
    for (const cap of proxiedCapabilities()) {
        const route = cap.rest;
        const names = pathParamNames(route.path);
        app.route({
            method: route.method,
            url: DATA_PREFIX + route.path.replace(/\{(\w+)\}/g, ':$1'),
            handler: async (req, reply) => {
                let params = {};
                if (route.method === 'POST' || route.method === 'PUT') {
                    const body = req.body;
                    if (body !== undefined && body !== null) {
                        if (typeof body !== 'object' || Array.isArray(body)) {
                            throw new PlatformError('VALIDATION_FAILED', `$: body of ${cap.name} must be a JSON object`, {
                                details: [{ path: '$', message: 'body must be a JSON object', expected: 'object', actual: typeName(body) }],
                            });
                        }
                        params = { ...body };
                    }
                }
                const pathValues = req.params;
                for (const n of names)
                    params[n] = pathValues[n];
                try {
                    const result = await dispatcher.invoke(req.caller, cap, params, requestorFrom(req.headers));
                    return sendResult(reply, result);
                }
                catch (err) {
                    return sendError(reply, err, req.id);
                }
            },
        });
    }
}
function sendResult(reply, result) {
    if (result === null || result === undefined)
        return reply.code(200).send();
    return reply.code(200).type('application/json').send(result);
}
/** An EPOS's own error goes back as it sent it, with the status its type maps to. */
function sendError(reply, err, traceId) {
    if (isPlatformError(err) && err.code === 'EPOS_ERROR' && isEposError(err.extra?.eposError)) {
        const e = err.extra.eposError;
        return reply.code(EPOS_ERROR_STATUS[e.errorType]).type('application/json').send({ ...e, traceId: e.traceId ?? traceId });
    }
    throw err;
}
