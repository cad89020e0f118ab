import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { connect, defineEpos, EposError } from '../../packages/sdk/src/index.ts';
import { backoffDelay } from '../../packages/contract/src/backoff.ts';
import { FakePlatform } from '../epos/helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Next emission of an event; unlike events.once it does not reject when 'error' fires meanwhile. */
const next = (em: NodeJS.EventEmitter, ev: string) => new Promise<unknown[]>((r) => em.once(ev, (...a: unknown[]) => r(a)));

function slowEpos(log: string[] = []) {
  return defineEpos({
    GetOrderById: async ({ orderId }) => {
      log.push(`start ${orderId}`);
      await sleep(orderId === 'slow' ? 150 : 5);
      log.push(`end ${orderId}`);
      return { id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } };
    },
    CancelOrderById: ({ orderId }) => {
      throw new EposError('Conflict', `order ${orderId} has payments`);
    },
  });
}

test('the handshake sends the API key as-is, the software house and the reseller', async (t) => {
  const platform = await new FakePlatform().start();
  const conn = connect(slowEpos(), { url: platform.url, apiKey: 'sk_sandbox_abc', softwareHouseId: 'till-co', resellerId: 'resell-1' });
  t.after(async () => { await conn.close(); await platform.stop(); });
  await next(conn, 'connect');
  const h = platform.handshakes[0];
  assert.equal(h.authorization, 'Basic sk_sandbox_abc');
  assert.equal(h['software-house-id'], 'till-co');
  assert.equal(h['reseller-id'], 'resell-1');
  assert.equal(conn.connected, true);
});

test('requests are answered concurrently, errors as EPOSError, unknown methods as -32601', async (t) => {
  const log: string[] = [];
  const platform = await new FakePlatform().start();
  const conn = connect(slowEpos(log), { url: platform.url, apiKey: 'sk_sandbox_abc', softwareHouseId: 'x' });
  t.after(async () => { await conn.close(); await platform.stop(); });
  await platform.connected();
  const slow = platform.request('GetOrderByIdV1', { orderId: 'slow' });
  const fast = platform.request('GetOrderByIdV1', { orderId: 'fast' });
  const [a, b] = await Promise.all([slow, fast]);
  assert.equal(a.result.id, 'slow');
  assert.equal(b.result.id, 'fast');
  assert.deepEqual(log, ['start slow', 'start fast', 'end fast', 'end slow'], 'the slow call did not hold the fast one up');
  assert.equal(a.jsonrpc, '2.0');

  const conflict = await platform.request('CancelOrderByIdV1', { orderId: 'o1' });
  assert.equal(conflict.error.errorType, 'Conflict');
  assert.equal(conflict.error.debugMessage, 'order o1 has payments');

  const unknown = await platform.request('SearchMenusV1', {});
  assert.equal(unknown.error.code, -32601);
  assert.equal(unknown.error.errorType, 'InvalidRequest');
  assert.match(unknown.error.debugMessage, /SearchMenusV1 not implemented/);
  const nonsense = await platform.request('NoSuchThingV1', {});
  assert.equal(nonsense.error.code, -32601);
});

test('after the platform restarts on the same port the EPOS reconnects by itself', async (t) => {
  const platform = await new FakePlatform().start();
  const port = platform.port;
  const conn = connect(slowEpos(), { url: platform.url, apiKey: 'sk_sandbox_abc', softwareHouseId: 'x', reconnect: { minMs: 20, maxMs: 80 } });
  const disconnects: unknown[] = [];
  conn.on('disconnect', (d) => disconnects.push(d));
  conn.on('error', () => {});
  await next(conn, 'connect');
  await platform.stop();
  await next(conn, 'disconnect');
  assert.equal(conn.connected, false);
  await sleep(150); // a few refused attempts while the platform is down
  const again = await new FakePlatform().start(port);
  t.after(async () => { await conn.close(); await again.stop(); });
  await next(conn, 'connect');
  const res = await again.request('GetOrderByIdV1', { orderId: 'back' });
  assert.equal(res.result.id, 'back');
  assert.ok(disconnects.every((d: any) => d.willReconnect === true));
});

test('close() lets in-flight handlers answer before the socket closes, and stops reconnecting', async (t) => {
  const platform = await new FakePlatform().start();
  t.after(() => platform.stop());
  const conn = connect(slowEpos(), { url: platform.url, apiKey: 'sk_sandbox_abc', softwareHouseId: 'x', reconnect: { minMs: 10, maxMs: 20 } });
  await platform.connected();
  const pending = platform.request('GetOrderByIdV1', { orderId: 'slow' });
  await sleep(20);
  assert.equal(conn.inFlight, 1);
  const closing = conn.close();
  const answer = await pending;
  assert.equal(answer.result.id, 'slow');
  await closing;
  assert.equal(conn.connected, false);
  await sleep(80);
  assert.equal(platform.handshakes.length, 1, 'no reconnect after close()');
});

test('a platform that stops answering pings is dropped and dialled again', async (t) => {
  const platform = await new FakePlatform().start();
  const conn = connect(slowEpos(), { url: platform.url, apiKey: 'sk_sandbox_abc', softwareHouseId: 'x', pingIntervalMs: 30, pingTimeoutMs: 50, reconnect: { minMs: 10, maxMs: 20 } });
  const errors: Error[] = [];
  conn.on('error', (e) => errors.push(e));
  t.after(async () => { await conn.close(); await platform.stop(); });
  await next(conn, 'connect');
  // freeze the server side of the socket: it neither reads pings nor sends pongs
  (platform.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  await next(conn, 'disconnect');
  assert.ok(errors.some((e) => /no pong/.test(e.message)));
  await next(conn, 'connect');
  assert.equal(platform.handshakes.length, 2);
});

test('a refused handshake is reported through the error event with the HTTP status', async (t) => {
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (_req, socket) => {
    socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 27\r\n\r\n{"error":"UNKNOWN_API_KEY"}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const conn = connect(slowEpos(), { url: `ws://127.0.0.1:${port}/epos`, apiKey: 'sk_sandbox_bad', softwareHouseId: 'x', reconnect: { minMs: 50, maxMs: 100 } });
  t.after(async () => { await conn.close(); wss.close(); server.close(); });
  const [err] = (await once(conn, 'error')) as [Error];
  assert.match(err.message, /HTTP 401/);
  assert.match(err.message, /UNKNOWN_API_KEY/);
});

test('backoff doubles from the minimum, stays under the maximum and is jittered', () => {
  const opts = { minMs: 100, maxMs: 1000 };
  assert.equal(backoffDelay(0, opts, () => 1), 100);
  assert.equal(backoffDelay(0, opts, () => 0), 50);
  assert.equal(backoffDelay(2, opts, () => 1), 400);
  assert.equal(backoffDelay(10, opts, () => 1), 1000);
  assert.equal(backoffDelay(10, opts, () => 0), 500);
});
