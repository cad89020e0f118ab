// B5 EPOS side: the SDK REST handler on a plain node http server, answering GetOrderById with the
// realistic order, contract validation on. Env: REST_USER, REST_PASSWORD. Reports its URL.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineEpos, restHandler } from '../packages/sdk/src/index.ts';
import { orderFor, serveParent } from './lib.ts';

const epos = defineEpos({
  GetOrderById: async ({ orderId }) => orderFor(orderId) as never,
});
const server = createServer(restHandler(epos, { username: process.env.REST_USER!, password: process.env.REST_PASSWORD! }));
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
serveParent(async () => ({}));
