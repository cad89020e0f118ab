// While the platform is down the SDK reports the lost connection once (`disconnect`) and each
// failed dial as a `reconnecting` attempt with the reason, so an EPOS's log is not one
// "disconnected" line per attempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { connect, defineEpos, type DisconnectInfo, type ReconnectInfo } from '../../packages/sdk/src/index.ts';
import { FakePlatform } from '../epos/helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const next = (em: NodeJS.EventEmitter, ev: string) => new Promise<unknown[]>((r) => em.once(ev, (...a: unknown[]) => r(a)));
const epos = () => defineEpos({ GetOrderById: ({ orderId }) => ({ id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } }) });

test('a platform that stays down gives one disconnect, then numbered reconnecting attempts naming why each dial failed', async (t) => {
  const platform = await new FakePlatform().start();
  const port = platform.port;
  const conn = connect(epos(), { url: platform.url, apiKey: 'sk_sandbox_abc', softwareHouseId: 'x', reconnect: { minMs: 10, maxMs: 20 } });
  const disconnects: DisconnectInfo[] = [];
  const attempts: ReconnectInfo[] = [];
  conn.on('disconnect', (d: DisconnectInfo) => disconnects.push(d));
  conn.on('reconnecting', (r: ReconnectInfo) => attempts.push(r));
  conn.on('error', () => {});
  await next(conn, 'connect');
  await platform.stop();
  await sleep(250); // many refused dials
  assert.equal(disconnects.length, 1, `one disconnect for one lost connection, got ${JSON.stringify(disconnects)}`);
  assert.equal(disconnects[0]!.willReconnect, true);
  assert.ok(attempts.length >= 4, `attempts: ${attempts.length}`);
  assert.deepEqual(attempts.map((a) => a.attempt), attempts.map((_, i) => i + 1));
  assert.equal(attempts[0]!.lastError, undefined, 'the first attempt follows an open connection');
  assert.match(attempts[1]!.lastError ?? '', /ECONNREFUSED/);

  const again = await new FakePlatform().start(port);
  t.after(async () => { await conn.close(); await again.stop(); });
  await next(conn, 'connect');
  assert.equal(disconnects.length, 1, 'reconnecting added no disconnect');
});

test('without reconnecting, a first dial that fails is reported as a disconnect that will not reconnect', async (t) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r())); // nothing listens there now
  const conn = connect(epos(), { url: `ws://127.0.0.1:${port}/epos`, apiKey: 'sk_sandbox_abc', softwareHouseId: 'x', reconnect: false });
  t.after(() => conn.close());
  conn.on('error', () => {});
  const [d] = (await next(conn, 'disconnect')) as [DisconnectInfo];
  assert.equal(d.willReconnect, false);
});
