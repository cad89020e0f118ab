// The tester API, scoped to the caller's tenant: GET/POST /epos-tester-tool/flows and
// GET /epos-tester-tool/flows/{flowId}.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { PlatformError } from '../errors.ts';
import { AUTHENTICATED_ERRORS, ErrorBody, errorResponses, IdParam } from '../server/schemas.ts';
import { StartFlowBody, type StartFlow } from './params.ts';
import type { Tester } from './runner.ts';

export const TESTER_PREFIX = '/epos-tester-tool';

const FlowStatus = Type.Union(['SUCCESS', 'FAILURE', 'TIMED_OUT', 'IN_PROGRESS'].map((s) => Type.Literal(s)));
const FlowDescription = Type.Object({
  name: Type.String(),
  params: Type.Array(Type.Object({
    name: Type.String(), type: Type.Union([Type.Literal('string'), Type.Literal('integer'), Type.Literal('boolean')]),
    required: Type.Boolean(), description: Type.String(), default: Type.Optional(Type.String()),
  })),
  flowName: Type.String(),
  description: Type.String(),
  changesData: Type.Boolean(),
  requires: Type.Array(Type.String()),
  requiresOneOf: Type.Array(Type.Array(Type.String())),
  uses: Type.Array(Type.String()),
  transports: Type.Array(Type.Union([Type.Literal('ws'), Type.Literal('rest')])),
  products: Type.Record(Type.String(), Type.String()),
});
const FlowResult = Type.Object({
  flowID: Type.String(),
  flowName: Type.String(),
  status: FlowStatus,
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  steps: Type.Array(Type.Object({
    name: Type.String(), status: FlowStatus, startedAt: Type.String(), finishedAt: Type.Optional(Type.String()),
    additionalInformation: Type.Array(Type.String()),
  }, { additionalProperties: true })),
});

export function testerRoutes(app: FastifyInstance, tester: Tester): void {
  const errors = errorResponses(...AUTHENTICATED_ERRORS);
  // The spec types this answer as one FlowDescription; it is the list of every flow.
  app.get(`${TESTER_PREFIX}/flows`, { schema: { response: { 200: Type.Array(FlowDescription), ...errors } } }, async () => tester.list());

  app.post(`${TESTER_PREFIX}/flows`, {
    schema: {
      body: StartFlowBody,
      response: { 200: Type.String({ description: 'The flow id, as a JSON string' }), ...errors, 403: ErrorBody, 503: ErrorBody },
    },
  }, async (req, reply) => {
    const id = await tester.start(req.caller, req.body as StartFlow);
    // The bare flow id as a quoted JSON string.
    return reply.code(200).type('application/json').send(JSON.stringify(id));
  });

  app.get(`${TESTER_PREFIX}/flows/:flowId`, { schema: { params: IdParam('flowId'), response: { 200: FlowResult, ...errors, 404: ErrorBody } } }, async (req) => {
    const { flowId } = req.params as { flowId: string };
    const flow = await tester.get(req.caller, flowId);
    if (!flow) throw new PlatformError('NOT_FOUND', `no flow ${flowId} for this account`);
    return flow;
  });
}
