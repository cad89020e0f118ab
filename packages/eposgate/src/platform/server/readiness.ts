// GET /readyz: may a load balancer send this node traffic? Yes when the store answers a cheap query
// in time and, in cluster mode, the bus is connected; no (503, naming the failing check) otherwise,
// and while the platform drains. GET /healthz stays liveness: the process answers at all.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { within } from '../deadline.ts';

export const READYZ_PATH = '/readyz';

export interface ReadinessChecks {
  /** The store's cheapest query (Store.ping). */
  store(): Promise<void>;
  /** In cluster mode, whether the bus reaches its peers; undefined on a single node ("n/a"). */
  bus?: () => boolean;
  draining(): boolean;
  /** Longest the store check may take. */
  timeoutMs: number;
}

const Check = Type.Union([Type.Literal('ok'), Type.Literal('n/a'), Type.Literal('failing')]);
const Ready = Type.Object({
  status: Type.Literal('ready'),
  checks: Type.Object({ store: Type.Literal('ok'), bus: Type.Union([Type.Literal('ok'), Type.Literal('n/a')]) }),
});
const NotReady = Type.Object({
  status: Type.Literal('not ready'),
  checks: Type.Object({ store: Check, bus: Check, draining: Type.Optional(Check) }),
  failing: Type.Array(Type.String(), { description: 'The checks that failed: store, bus, draining' }),
  message: Type.String(),
});

export function readinessRoute(app: FastifyInstance, c: ReadinessChecks): void {
  app.get(READYZ_PATH, {
    schema: { security: [], summary: 'Readiness: store and cluster bus reachable, not draining', response: { 200: Ready, 503: NotReady } },
  }, async (req, reply) => {
    if (c.draining()) {
      // The store may already be closing: nothing else is asked.
      return reply.code(503).send({ status: 'not ready', checks: { store: 'n/a', bus: 'n/a', draining: 'failing' }, failing: ['draining'], message: 'draining: the platform is shutting down and takes no new work' });
    }
    const failing: string[] = [];
    const reasons: string[] = [];
    try {
      await within(c.store(), c.timeoutMs, 'the store');
    } catch (err) {
      failing.push('store');
      // The cause goes to the log, not to an unauthenticated caller.
      reasons.push(err instanceof Error && /did not answer within/.test(err.message) ? `store: no answer within ${c.timeoutMs} ms` : 'store: the check query failed');
      req.log.warn({ err }, 'readiness: store check failed');
    }
    const bus = c.bus ? (c.bus() ? 'ok' : 'failing') : 'n/a';
    if (bus === 'failing') {
      failing.push('bus');
      reasons.push('bus: the cluster bus (NATS) is disconnected');
    }
    if (!failing.length) return { status: 'ready' as const, checks: { store: 'ok' as const, bus } };
    return reply.code(503).send({
      status: 'not ready', checks: { store: failing.includes('store') ? 'failing' : 'ok', bus }, failing, message: reasons.join('; '),
    });
  });
}
