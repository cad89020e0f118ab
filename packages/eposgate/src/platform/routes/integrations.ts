// Capability registration: PUT/GET /epos/integrations/{rest,ws}, GET /epos/integrations, and the
// history of changes GET /epos/integrations/history.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Limits } from '../limits.ts';
import { registrationSchema, type RegistrationBody } from '../registry/body.ts';
import type { Registry } from '../registry/registry.ts';
import { AUTHENTICATED_ERRORS, ErrorBody, errorResponses } from '../server/schemas.ts';
import { PageQuery, nextCursor, pageOf } from '../server/paging.ts';
import type { RegistrationChange, TransportKind } from '../store/store.ts';

/**
 * The PUT's answer stays the published shape, an array of integrations (an array has no room for
 * another field, and [] after an unregistration has no element to carry one): the capabilities
 * dropped by the PUT travel in this header, a JSON array of names (docs/health.md).
 */
export const DROPPED_HEADER = 'eposgate-dropped';

/** One registered integration as GET and PUT answer it (registry.ts, view). */
const Integration = Type.Object({
  url: Type.Optional(Type.String()),
  capabilities: Type.Array(Type.Object({ name: Type.String(), version: Type.String(), updatedAt: Type.String({ format: 'date-time' }) })),
  auth: Type.Optional(Type.Object({ authType: Type.Literal('basic'), basic: Type.Object({ username: Type.String() }) })),
  createdAt: Type.String({ format: 'date-time' }),
});
const Integrations = Type.Array(Integration, { description: 'At most one integration per transport' });

const Change = Type.Object({
  id: Type.String({ description: 'Per-tenant, increasing' }),
  at: Type.String({ format: 'date-time' }),
  transport: Type.Union([Type.Literal('ws'), Type.Literal('rest')]),
  capabilities: Type.Array(Type.String(), { description: 'The whole list after the change; [] when the registration was removed' }),
  added: Type.Array(Type.String()),
  dropped: Type.Array(Type.String()),
  url: Type.Optional(Type.String({ description: 'REST: the URL registered (never the password)' })),
  softwareHouseId: Type.String(),
  resellerId: Type.Optional(Type.String()),
  keyHint: Type.Optional(Type.String({ description: 'First characters of the API key that made the change' })),
});
const History = Type.Object({ changes: Type.Array(Change), nextCursor: Type.Optional(Type.String()) });

function changeView(c: RegistrationChange): Static<typeof Change> {
  return {
    id: String(c.seq), at: c.at, transport: c.transport, capabilities: c.capabilities, added: c.added, dropped: c.dropped,
    ...(c.url !== undefined ? { url: c.url } : {}),
    softwareHouseId: c.softwareHouseId,
    ...(c.resellerId !== undefined ? { resellerId: c.resellerId } : {}),
    ...(c.keyHint !== undefined ? { keyHint: c.keyHint } : {}),
  };
}

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

  app.get('/epos/integrations/history', {
    schema: { querystring: PageQuery, response: { 200: History, ...errors } },
  }, async (req) => {
    const page = pageOf(req.query as Static<typeof PageQuery>);
    // One row more than asked: whether it exists says whether there is a next page.
    const rows = await registry.history(req.caller, { ...(page.before !== undefined ? { before: page.before } : {}), limit: page.limit + 1 });
    const shown = rows.slice(0, page.limit);
    const next = rows.length > page.limit ? nextCursor(shown.at(-1)!.seq) : undefined;
    return { changes: shown.map(changeView), ...(next ? { nextCursor: next } : {}) };
  });

  for (const transport of ['rest', 'ws'] as const satisfies readonly TransportKind[]) {
    app.get(`/epos/integrations/${transport}`, { schema: { response: { 200: Integrations, ...errors } } }, async (req) => registry.list(req.caller, transport));
    app.put(`/epos/integrations/${transport}`, {
      // 503: the store refused the write (STORE_UNAVAILABLE).
      schema: { body: registrationSchema(transport, limits), response: { 200: Integrations, ...errors, 503: ErrorBody } },
    }, async (req, reply) => {
      const { integrations, previews, dropped } = await registry.put(req.caller, transport, req.body as RegistrationBody);
      void reply.header(DROPPED_HEADER, JSON.stringify(dropped));
      if (previews.length) {
        const msg = `preview capabilities registered without a published contract: ${previews.join(', ')}; the platform will not invoke them until their contract is published`;
        void reply.header('warning', `299 eposgate "${msg}"`);
        req.log.warn({ previews }, 'preview capabilities registered');
      }
      return integrations;
    });
  }
}
