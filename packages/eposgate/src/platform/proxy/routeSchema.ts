// Each /epos/data route's schema, read off its catalogue row: path params, requestor headers, body,
// result and error answers. The schema documents the route (OpenAPI); it does not validate it:
// the dispatcher validates the params once, with the contract's validator and error bodies.
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { EPOSError, REST_HEADER_NAMES, type Capability } from '@eposgate/contract';
import { ErrorBody as PlatformErrorBody } from '../server/schemas.ts';
import type { ProductPath } from './proxied.ts';

/**
 * Route options that keep a schema for documentation only: the compiled request check accepts
 * anything. Answers are serialised as on every route (server/validation.ts: JSON.stringify).
 */
export const DOCUMENTED_ONLY: { validatorCompiler: FastifySchemaCompiler<unknown> } = {
  validatorCompiler: () => () => true,
};

const json = (description: string, schema: TSchema) => ({ description, content: { 'application/json': { schema } } });
const platformError = (description: string) => json(description, PlatformErrorBody);
const eitherError = (description: string) => json(description, Type.Union([EPOSError, PlatformErrorBody]));

const REQUESTOR_HEADERS = Type.Object(Object.fromEntries(
  Object.values(REST_HEADER_NAMES).map((h) => [h, Type.Optional(Type.String({ description: 'passed on to the EPOS' }))]),
));

export function dataRouteSchema(cap: Capability, where: ProductPath): FastifySchema {
  const request = cap.request as TSchema & { properties?: Record<string, TSchema>; required?: string[] };
  const props = request.properties ?? {};
  const params = Type.Object(Object.fromEntries(
    where.routeNames.map((name, i) => [name, props[where.paramNames[i]!] ?? Type.String()]),
  ));
  const hasBody = cap.rest!.method === 'POST' || cap.rest!.method === 'PUT';
  return {
    operationId: cap.name,
    summary: `${cap.name} on the account's EPOS`,
    tags: [cap.domain],
    headers: REQUESTOR_HEADERS,
    ...(where.routeNames.length ? { params } : {}),
    ...(hasBody ? { body: withoutFields(request, where.paramNames) } : {}),
    response: {
      200: json('the EPOS result, as it sent it', cap.result),
      400: eitherError('EPOS InvalidRequest (EPOSError), or params that break the contract (VALIDATION_FAILED)'),
      404: json('EPOS NotFound', EPOSError),
      409: json('EPOS Conflict', EPOSError),
      501: platformError('capability not registered for this account, or a preview'),
      502: eitherError('EPOS UnexpectedError (EPOSError), an unreachable EPOS or an answer that breaks the contract'),
      503: platformError('no EPOS connected for this account'),
      504: platformError('the EPOS did not answer in time'),
    },
  };
}

/** The params schema without the fields that travel in the path: the body. */
function withoutFields(schema: TSchema & { properties?: Record<string, TSchema>; required?: string[] }, names: string[]): TSchema {
  if (!names.length || !schema.properties) return schema;
  const { properties: all, required: allRequired, ...rest } = schema;
  const properties = Object.fromEntries(Object.entries(all).filter(([k]) => !names.includes(k)));
  const required = (allRequired ?? []).filter((r) => !names.includes(r));
  return { ...rest, properties, ...(required.length ? { required } : {}) } as TSchema;
}
