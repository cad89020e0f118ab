// The tester API, scoped to the caller's tenant: GET/POST /epos-tester-tool/flows and
// GET /epos-tester-tool/flows/{flowId}.
import type { FastifyInstance } from 'fastify';
import { PlatformError } from '../errors.ts';
import type { Tester } from './runner.ts';

export const TESTER_PREFIX = '/epos-tester-tool';

export function testerRoutes(app: FastifyInstance, tester: Tester): void {
  // The spec types this answer as one FlowDescription; it is the list of every flow.
  app.get(`${TESTER_PREFIX}/flows`, async () => tester.list());

  app.post(`${TESTER_PREFIX}/flows`, async (req, reply) => {
    const id = await tester.start(req.caller, req.body);
    // The bare flow id as a quoted JSON string.
    return reply.code(200).type('application/json').send(JSON.stringify(id));
  });

  app.get(`${TESTER_PREFIX}/flows/:flowId`, async (req) => {
    const { flowId } = req.params as { flowId: string };
    const flow = await tester.get(req.caller, flowId);
    if (!flow) throw new PlatformError('NOT_FOUND', `no flow ${flowId} for this account`);
    return flow;
  });
}
