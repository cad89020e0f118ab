import { EPOSError } from '@eposgate/contract';
import { EventType, PaymentIntentEvent } from '@eposgate/contract';
import { pathParamNames } from '@eposgate/contract';
import { DATA_PREFIX, proxiedCapabilities } from "./proxied.js";
const REQUESTOR_HEADERS = ['waiter-id', 'dojo-requesting-product', 'device-id', 'device-type'];
const PLATFORM_ERROR = {
    type: 'object',
    required: ['error', 'message'],
    properties: {
        error: { type: 'string', description: 'stable error code, e.g. CAPABILITY_NOT_REGISTERED' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object' } },
        traceId: { type: 'string' },
    },
};
function plain(schema) {
    return JSON.parse(JSON.stringify(schema));
}
/** Body schema: the params schema without the fields that travel in the path. */
function bodySchema(schema, pathNames) {
    const s = plain(schema);
    if (s.properties)
        for (const n of pathNames)
            delete s.properties[n];
    if (s.required)
        s.required = s.required.filter((r) => !pathNames.includes(r));
    return s;
}
export function openApiDocument() {
    const paths = {};
    for (const cap of proxiedCapabilities()) {
        const route = cap.rest;
        const names = pathParamNames(route.path);
        const hasBody = route.method === 'POST' || route.method === 'PUT';
        const path = DATA_PREFIX + route.path;
        paths[path] ??= {};
        paths[path][route.method.toLowerCase()] = {
            operationId: cap.name,
            summary: `${cap.name} on the account's EPOS (${cap.domain})`,
            parameters: [
                ...names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
                ...REQUESTOR_HEADERS.map((name) => ({ name, in: 'header', required: false, schema: { type: 'string' } })),
                { name: 'software-house-id', in: 'header', required: true, schema: { type: 'string' } },
            ],
            ...(hasBody ? { requestBody: { required: true, content: { 'application/json': { schema: bodySchema(cap.request, names) } } } } : {}),
            responses: {
                200: { description: 'the EPOS result', content: { 'application/json': { schema: plain(cap.result) } } },
                400: { description: 'EPOS InvalidRequest (EPOSError) or invalid params (platform error)' },
                404: { description: 'EPOS NotFound', content: { 'application/json': { schema: plain(EPOSError) } } },
                409: { description: 'EPOS Conflict', content: { 'application/json': { schema: plain(EPOSError) } } },
                501: { description: 'capability not registered, or preview', content: { 'application/json': { schema: PLATFORM_ERROR } } },
                502: { description: 'EPOS UnexpectedError (EPOSError), unreachable EPOS or a contract violation (platform error)' },
                503: { description: 'no EPOS WebSocket connected', content: { 'application/json': { schema: PLATFORM_ERROR } } },
                504: { description: 'the EPOS did not answer in time', content: { 'application/json': { schema: PLATFORM_ERROR } } },
            },
        };
    }
    Object.assign(paths, eventPaths());
    return {
        openapi: '3.0.3',
        info: { title: 'eposgate product-facing EPOS Data API', version: '1' },
        components: { securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Basic <api key>, the key as-is' } } },
        security: [{ ApiKey: [] }],
        paths,
    };
}
/** Payment-intent events raised by products for the account's EPOS (see docs/events.md). */
function eventPaths() {
    const delivery = { type: 'object', description: 'status pending | delivered | failed | skipped, reason, attempts, timestamps, lastError' };
    return {
        [`${DATA_PREFIX}/v1/events`]: {
            post: {
                operationId: 'RaisePaymentIntentEvent',
                summary: 'Queue a payment-intent event for delivery to the EPOS (HandleEventV1 / POST /v1/events), at least once',
                requestBody: {
                    required: true,
                    content: { 'application/json': { schema: {
                                type: 'object', required: ['event', 'data'],
                                properties: { event: plain(EventType), data: plain(PaymentIntentEvent), id: { type: 'string', description: 'idempotency key; generated when absent' } },
                            } } },
                },
                responses: {
                    202: { description: 'the event as built, with its delivery state', content: { 'application/json': { schema: { type: 'object', properties: { delivery } } } } },
                    400: { description: 'invalid event', content: { 'application/json': { schema: PLATFORM_ERROR } } },
                    409: { description: 'the id was used for a different event', content: { 'application/json': { schema: PLATFORM_ERROR } } },
                },
            },
            get: {
                operationId: 'ListPaymentIntentEvents',
                parameters: ['status', 'after', 'limit'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
                responses: { 200: { description: '{events, next}' } },
            },
        },
        [`${DATA_PREFIX}/v1/events/{id}`]: {
            get: {
                operationId: 'GetPaymentIntentEvent',
                parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
                responses: { 200: { description: 'the event with its delivery state' }, 404: { description: 'no such event for this account' } },
            },
        },
    };
}
