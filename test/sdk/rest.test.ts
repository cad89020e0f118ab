import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import Fastify from 'fastify';
import { defineEpos, EposError, restHandler, fastifyPlugin, type HandlerContext } from '../../packages/sdk/src/index.ts';
import { basic, listen, PASS, USER } from '../epos/helpers.ts';

const ORDER = { id: 'o1', status: 'New', details: { orderType: 'DineIn', dineIn: { tableId: 't1' } } } as const;

function demo(seen: HandlerContext[] = []) {
  return defineEpos(
    {
      GetOrderById: async ({ orderId }, ctx) => {
        seen.push(ctx);
        if (orderId === 'missing') throw new EposError('NotFound', `order ${orderId} is gone`);
        if (orderId === 'boom') throw new Error('database password is hunter2');
        return { ...ORDER, id: orderId };
      },
      CreateOrderLock: ({ orderId }) => {
        throw new EposError('Conflict', `order ${orderId} is open on till 3`);
      },
      SearchOrders: (p) => ({ data: [], ...(p.payableOnly ? {} : { after: 'x' }) }),
      DeletePartyById: () => ({}),
    },
    { onHandlerError: () => {} },
  );
}

async function serve(epos = demo(), opts: { bodyLimit?: number } = {}) {
  const server = createServer(restHandler(epos, { username: USER, password: PASS, ...opts }));
  const url = await listen(server);
  return { url, close: () => { server.closeAllConnections(); server.close(); } };
}

test('requests without the registered basic-auth credentials get 401 and a JSON error', async (t) => {
  const s = await serve();
  t.after(s.close);
  for (const authorization of [undefined, basic(USER, 'wrong'), basic('someone', PASS), 'Bearer abc', `Basic ${PASS}`]) {
    const res = await fetch(`${s.url}/v1/orders/o1`, { headers: authorization ? { authorization } : {} });
    assert.equal(res.status, 401, String(authorization));
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
    assert.equal((await res.json()).errorType, 'InvalidRequest');
  }
  const ok = await fetch(`${s.url}/v1/orders/o1`, { headers: { authorization: basic() } });
  assert.equal(ok.status, 200);
});

test('path params, body and requestor headers reach the handler', async (t) => {
  const seen: HandlerContext[] = [];
  const s = await serve(demo(seen));
  t.after(s.close);
  const res = await fetch(`${s.url}/v1/orders/ord%2042`, {
    headers: { authorization: basic(), 'waiter-id': '42', 'dojo-requesting-product': 'Order&Pay', 'device-id': 'tm_1', 'device-type': 'Dojo Terminal' },
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).id, 'ord 42');
  assert.deepEqual(seen[0].headers, { waiterId: '42', dojoRequestingProduct: 'Order&Pay', deviceId: 'tm_1', deviceType: 'Dojo Terminal' });
  assert.equal(seen[0].capability, 'GetOrderById');
  assert.equal(seen[0].transport, 'rest');
  const search = await fetch(`${s.url}/v1/orders/search`, { method: 'POST', headers: { authorization: basic() }, body: JSON.stringify({ payableOnly: true }) });
  assert.deepEqual(await search.json(), { data: [] });
});

test('EposError types map to 404, 409; other throws become a 500 UnexpectedError with no internals', async (t) => {
  const s = await serve();
  t.after(s.close);
  const get = (path: string, init: RequestInit = {}) => fetch(s.url + path, { ...init, headers: { authorization: basic() } });
  const nf = await get('/v1/orders/missing');
  assert.equal(nf.status, 404);
  const nfBody = await nf.json();
  assert.equal(nfBody.errorType, 'NotFound');
  assert.equal(nfBody.debugMessage, 'order missing is gone');
  assert.ok(nfBody.traceId);
  const conflict = await get('/v1/orders/o1/lock', { method: 'POST', body: JSON.stringify({ lockId: 'l', expiry: '2030-01-01T00:00:00Z' }) });
  assert.equal(conflict.status, 409);
  const boom = await get('/v1/orders/boom');
  assert.equal(boom.status, 500);
  const text = await boom.text();
  assert.equal(JSON.parse(text).errorType, 'UnexpectedError');
  assert.doesNotMatch(text, /hunter2|at .*\.ts/);
});

test('unknown routes are NotFound, bad JSON and bad params are InvalidRequest, big bodies are 413', async (t) => {
  const s = await serve(demo(), { bodyLimit: 256 });
  t.after(s.close);
  const call = (method: string, path: string, body?: string) => fetch(s.url + path, { method, headers: { authorization: basic() }, body });
  const unknown = await call('GET', '/v1/menus');
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).errorType, 'NotFound');
  assert.equal((await call('GET', '/v1/areas')).status, 404, 'ListAreas is not implemented here, so it is not routed');
  const badJson = await call('POST', '/v1/orders/search', '{"payableOnly": tru');
  assert.equal(badJson.status, 400);
  assert.equal((await badJson.json()).errorType, 'InvalidRequest');
  const badParams = await call('POST', '/v1/orders/search', JSON.stringify({ payableOnly: 'yes' }));
  assert.equal(badParams.status, 400);
  assert.match((await badParams.json()).debugMessage, /\$\.payableOnly/);
  const big = await call('POST', '/v1/orders/search', JSON.stringify({ pad: 'x'.repeat(1000) }));
  assert.equal(big.status, 413);
  assert.equal((await big.json()).errorType, 'InvalidRequest');
  const del = await call('DELETE', '/v1/parties/p1');
  assert.equal(del.status, 200);
  assert.deepEqual(await del.json(), {});
});

test('the fastify plugin serves the same routes under a prefix', async (t) => {
  const app = Fastify();
  await app.register(fastifyPlugin(demo(), { username: USER, password: PASS }), { prefix: '/dojo' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const ok = await fetch(`${base}/dojo/v1/orders/o9`, { headers: { authorization: basic() } });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).id, 'o9');
  const search = await fetch(`${base}/dojo/v1/orders/search`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json' }, body: '{"payableOnly":true}' });
  assert.deepEqual(await search.json(), { data: [] });
  const bad = await fetch(`${base}/dojo/v1/orders/search`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json' }, body: '{' });
  assert.equal(bad.status, 400);
  assert.equal((await fetch(`${base}/dojo/v1/orders/o9`)).status, 401);
});
