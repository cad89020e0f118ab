// Capability registration: PUT/GET /epos/integrations/{rest,ws} and GET /epos/integrations.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Limits } from '../limits.ts';
import { registrationSchema, type RegistrationBody } from '../registry/body.ts';
import type { Registry } from '../registry/registry.ts';
import { AUTHENTICATED_ERRORS, ErrorBody, errorResponses } from '../server/schemas.ts';
import type { TransportKind } from '../store/store.ts';

/** One registered integration as GET and PUT answer it (registry.ts, view). */
const Integration = Type.Object({
  url: Type.Optional(Type.String()),
  capabilities: Type.Array(Type.Object({ name: Type.String(), version: Type.String(), updatedAt: Type.String({ format: 'date-time' }) })),
  auth: Type.Optional(Type.Object({ authType: Type.Literal('basic'), basic: Type.Object({ username: Type.String() }) })),
  createdAt: Type.String({ format: 'date-time' }),
});
const Integrations = Type.Array(Integration, { description: 'At most one integration per transport' });

export function integrationRoutes(app: FastifyInstance, registry: Registry, limits: Pick<Limits, 'capabilityCount' | 'capabilityNameChars'>): void {
  const errors = errorResponses(...AUTHENTICATED_ERRORS);
  app.get('/epos/integrations', {
    schema: { response: { 200: Type.Object({ restIntegrations: Integrations, wsIntegrations: Integrations }), ...errors } },
  }, async (req) => {
    const [restIntegrations, wsIntegrations] = await Promise.all([
      registry.list(req.caller, 'rest'),
      registry.list(req.caller, 'ws'),
    ]);
    return { restIntegrations, wsIntegrations };
  });

  for (const transport of ['rest', 'ws'] as const satisfies readonly TransportKind[]) {
    app.get(`/epos/integrations/${transport}`, { schema: { response: { 200: Integrations, ...errors } } }, async (req) => registry.list(req.caller, transport));
    app.put(`/epos/integrations/${transport}`, {
      // 503: the store refused the write (STORE_UNAVAILABLE).
      schema: { body: registrationSchema(transport, limits), response: { 200: Integrations, ...errors, 503: ErrorBody } },
    }, async (req, reply) => {
      const { integrations, previews } = await registry.put(req.caller, transport, req.body as RegistrationBody);
      if (previews.length) {
        const msg = `preview capabilities registered without a published contract: ${previews.join(', ')}; the platform will not invoke them until their contract is published`;
        void reply.header('warning', `299 eposgate "${msg}"`);
        req.log.warn({ previews }, 'preview capabilities registered');
      }
      return integrations;
    });
  }
}
