// B2's floor and baselines, shared by the benchmark run and the profiling aid: a fastify server
// with the given routes, and a gateway that forwards over one raw ws socket to a bare EPOS.
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { startChild } from './lib.ts';

export interface BaselineServer { url: string; server: FastifyInstance['server']; close(): Promise<void>; /** The EPOS process behind it, if any. */ eposPid?: number }

export async function fastifyBaseline(routes: (app: FastifyInstance) => void): Promise<BaselineServer> {
  const app = Fastify({ logger: false });
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}`, server: app.server, close: () => app.close() };
}

/**
 * The floor of B2: a fastify route that forwards each request as a JSON-RPC frame over one raw ws
 * socket to a bare EPOS (epos-bare.ts, its own process) and answers with its result. No auth, no
 * registry, no validation, no call log: what any gateway of this shape costs at least.
 */
export async function floorGateway(): Promise<BaselineServer> {
  const bare = await bareEpos();
  const app = await fastifyBaseline((a) => {
    a.get<{ Params: { orderId: string } }>('/epos/data/v1/orders/:orderId', (req) => bare.call({ orderId: req.params.orderId }));
  });
  return {
    url: app.url,
    server: app.server,
    eposPid: bare.pid,
    async close() {
      await app.close();
      await bare.close();
    },
  };
}

/**
 * A bare EPOS (epos-bare.ts, its own process) on one raw ws socket to a server here: `call` sends
 * GetOrderByIdV1 as a JSON-RPC frame and answers its result. No platform at all: B1's and B2's floor.
 */
export async function bareEpos(): Promise<{ call(params: Record<string, unknown>): Promise<unknown>; close(): Promise<void>; pid?: number }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const socketP = new Promise<WebSocket>((r) => wss.once('connection', r));
  const child = startChild('epos-bare.ts', { WS_URL: `ws://127.0.0.1:${(wss.address() as { port: number }).port}` });
  await child.wait('ready');
  const sock = await socketP;
  const waiting = new Map<string, (v: unknown) => void>();
  let n = 0;
  sock.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { id: string; result: unknown };
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    w?.(m.result);
  });
  return {
    pid: child.proc.pid,
    call: (params) => new Promise<unknown>((resolve) => {
      const id = `b-${(n += 1).toString(36)}`;
      waiting.set(id, resolve);
      sock.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'GetOrderByIdV1', params: { ...params, headers: {} } }));
    }),
    async close() {
      await child.stop();
      wss.close();
    },
  };
}
