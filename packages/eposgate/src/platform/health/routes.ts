// EPOS health for the console, tenant-scoped: GET /epos/connections (sockets on every node, and what
// is registered) and GET /epos/readiness (per product, from registrations and the tester's runs).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../registry/registry.ts';
import { AUTHENTICATED_ERRORS, errorResponses } from '../server/schemas.ts';
import type { FlowStore } from '../store/store.ts';
import type { ConnectionDirectory } from './connections.ts';
import { productReadiness } from './readiness.ts';

const Time = Type.String({ format: 'date-time' });

const Connection = Type.Object({
  id: Type.String(),
  node: Type.String({ description: 'The platform node holding the socket' }),
  connectedAt: Time,
  remoteAddress: Type.String(),
  sdk: Type.Optional(Type.Object({ name: Type.String(), version: Type.String() }, { description: 'As the EPOS sent it in the eposgate-sdk upgrade header' })),
  lastPingAt: Type.Optional(Time),
  lastPongAt: Type.Optional(Time),
  inFlight: Type.Integer({ description: 'Calls sent on this socket and not answered yet' }),
  serving: Type.Boolean({ description: 'Calls on its node go to this socket (the newest open one there)' }),
});

const Connections = Type.Object({
  connections: Type.Array(Connection, { description: 'Open sockets on every node, newest first' }),
  registered: Type.Object({
    ws: Type.Union([Type.Array(Type.String()), Type.Null()]),
    rest: Type.Union([Type.Object({ url: Type.String(), capabilities: Type.Array(Type.String()) }), Type.Null()]),
  }),
  unreachable: Type.Array(Type.Object({ node: Type.String(), reason: Type.String() }), {
    description: 'Nodes that hold sockets of this tenant (presence) but did not answer in time: their sockets are missing from the list',
  }),
});

const Readiness = Type.Object({
  products: Type.Array(Type.Object({
    product: Type.String(),
    status: Type.Union(['ready', 'not ready', 'not tested', 'not applicable'].map((s) => Type.Literal(s))),
    rule: Type.String(),
    capabilities: Type.Array(Type.Object({
      name: Type.String(),
      need: Type.Union([Type.Literal('required'), Type.Literal('optional')]),
      registered: Type.Boolean(),
      proven: Type.Union([Type.Boolean(), Type.Null()], { description: 'null: no flow testing it has finished a run' }),
      provenAt: Type.Optional(Time),
    })),
    reasons: Type.Array(Type.String()),
    passed: Type.Array(Type.String(), { description: 'Flows whose latest run passed and count for the product' }),
  })),
});

export interface HealthRouteDeps {
  registry: Registry;
  flows: FlowStore;
  connections: ConnectionDirectory;
}

export function healthRoutes(app: FastifyInstance, deps: HealthRouteDeps): void {
  const errors = errorResponses(...AUTHENTICATED_ERRORS);

  app.get('/epos/connections', { schema: { response: { 200: Connections, ...errors } } }, async (req) => {
    const [{ connections, unreachable }, [ws], [rest]] = await Promise.all([
      deps.connections.list(req.caller),
      deps.registry.list(req.caller, 'ws'),
      deps.registry.list(req.caller, 'rest'),
    ]);
    return {
      connections,
      registered: {
        ws: ws ? ws.capabilities.map((c) => c.name) : null,
        rest: rest ? { url: rest.url ?? '', capabilities: rest.capabilities.map((c) => c.name) } : null,
      },
      unreachable,
    };
  });

  app.get('/epos/readiness', { schema: { response: { 200: Readiness, ...errors } } }, async (req) => {
    const [ws, rest, runs] = await Promise.all([
      deps.registry.list(req.caller, 'ws'),
      deps.registry.list(req.caller, 'rest'),
      deps.flows.latestFinished(req.caller),
    ]);
    const registered = new Set([...ws, ...rest].flatMap((i) => i.capabilities.map((c) => c.name)));
    return { products: productReadiness(registered, runs) };
  });
}
