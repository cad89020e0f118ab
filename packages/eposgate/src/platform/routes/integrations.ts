// Capability registration: PUT/GET /epos/integrations/{rest,ws} and GET /epos/integrations.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../registry/registry.ts';
import type { TransportKind } from '../store/store.ts';

export function integrationRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/epos/integrations', async (req) => {
    const [restIntegrations, wsIntegrations] = await Promise.all([
      registry.list(req.caller, 'rest'),
      registry.list(req.caller, 'ws'),
    ]);
    return { restIntegrations, wsIntegrations };
  });

  for (const transport of ['rest', 'ws'] as const satisfies readonly TransportKind[]) {
    app.get(`/epos/integrations/${transport}`, async (req) => registry.list(req.caller, transport));
    app.put(`/epos/integrations/${transport}`, async (req, reply) => {
      const { integrations, previews } = await registry.put(req.caller, transport, req.body);
      if (previews.length) {
        const msg = `preview capabilities registered without a published contract: ${previews.join(', ')}; the platform will not invoke them until their contract is published`;
        void reply.header('warning', `299 eposgate "${msg}"`);
        req.log.warn({ previews }, 'preview capabilities registered');
      }
      return integrations;
    });
  }
}
