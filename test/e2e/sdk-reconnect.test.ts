// The SDK against a real platform: it rides out a platform restart (same port, same data), and a
// vendor's contract mistake is reported to the vendor with its JSON path while the product gets an
// error answer from a platform that keeps serving.
import { test } from 'node:test';
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { connect, defineEpos, register, restHandler, type ContractErrorReport, type DisconnectInfo, type Epos } from '../../packages/sdk/src/index.ts';
import { createReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';
import type { Tenant } from '../../packages/eposgate/src/platform/tenant.ts';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import { ACCOUNT, REST_PASS, REST_USER, SOFTWARE_HOUSE, fakeClock, listen, until } from './setup.ts';

const TENANT: Tenant = { accountId: ACCOUNT, env: 'sandbox' };
const wsUrl = (p: TestPlatform) => p.url.replace(/^http/, 'ws') + '/epos';

/** Registers `epos` over WS, connects it, and stops both it and the platform after the test. */
async function connectedEpos(t: { after(fn: () => Promise<void>): void }, p: TestPlatform, key: string, epos: Epos) {
  await register(epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SOFTWARE_HOUSE, transport: 'ws' });
  const conn = connect(epos, { url: wsUrl(p), apiKey: key, softwareHouseId: SOFTWARE_HOUSE, reconnect: { minMs: 20, maxMs: 100 } });
  conn.on('error', () => {});
  t.after(async () => {
    await conn.close();
    await p.destroy();
  });
  await until(() => p.gateway.isConnected(TENANT), 'the EPOS socket');
  return conn;
}

test('an SDK EPOS keeps serving after the platform restarts on the same port and data dir', async (t) => {
  const clock = fakeClock();
  const ref = createReferenceEpos({ dbPath: ':memory:', clock: clock.now });
  let p = await testPlatform({ callTimeoutMs: 3000, connectGraceMs: 2000 });
  const dataDir = p.dataDir;
  const port = p.port;
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  await register(ref.epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SOFTWARE_HOUSE, transport: 'ws' });

  const conn = connect(ref.epos, { url: wsUrl(p), apiKey: key, softwareHouseId: SOFTWARE_HOUSE, reconnect: { minMs: 20, maxMs: 100 } });
  const errors: Error[] = [];
  const disconnects: DisconnectInfo[] = [];
  let connects = 0;
  conn.on('error', (e: Error) => errors.push(e));
  conn.on('disconnect', (d: DisconnectInfo) => disconnects.push(d));
  conn.on('connect', () => connects++);
  t.after(async () => {
    await conn.close();
    await p.destroy(); // the platform running at the end
    ref.close();
  });
  await until(() => p.gateway.isConnected(TENANT), 'the first connection');

  const before = await api(p.url, 'GET', '/epos/data/v1/orders/ord_0001', { key });
  assert.equal(before.status, 200, before.text);
  assert.equal(before.body.id, 'ord_0001');

  // Restart: stop the platform (its sockets close with 1001), start a new one on the same port and data.
  await p.stop();
  await until(() => !conn.connected, 'the SDK to notice');
  assert.ok(disconnects.length >= 1);
  assert.equal(disconnects[0]!.willReconnect, true);
  await new Promise((r) => setTimeout(r, 150)); // a few refused dials while the platform is down
  p = await testPlatform({ dataDir, port, callTimeoutMs: 3000, connectGraceMs: 2000 });
  assert.equal(p.port, port);

  // The key and the registration were read back from the data dir; the SDK dials in on its own.
  await until(() => p.gateway.isConnected(TENANT) && connects >= 2, 'the SDK to reconnect', 5000);
  const after = await api(p.url, 'GET', '/epos/data/v1/orders/ord_0001', { key });
  assert.equal(after.status, 200, after.text);
  assert.deepEqual(after.body, before.body);
  const search = await api(p.url, 'POST', '/epos/data/v1/orders/search', { key, body: { payableOnly: true, cursor: { limit: 3 } } });
  assert.equal(search.status, 200, search.text);
  assert.equal(search.body.data.length, 3);
  const paid = await api(p.url, 'POST', '/epos/data/v1/orders/ord_0002/record-payment', {
    key, body: { paymentIntentId: 'pi-after-restart', paidAmount: { value: 100, currencyCode: 'GBP' } },
  });
  assert.equal(paid.status, 200, paid.text);
  assert.equal(paid.body.paidAmount.value, 100);
  assert.ok(errors.every((e) => !/HTTP 401/.test(e.message)), 'the key still works after the restart');
});

test('a call made while the platform has just restarted waits for the SDK to dial back in', async (t) => {
  const ref = createReferenceEpos({ dbPath: ':memory:', clock: fakeClock().now });
  let p = await testPlatform({ callTimeoutMs: 3000, connectGraceMs: 2000 });
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  await register(ref.epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SOFTWARE_HOUSE, transport: 'ws' });
  const conn = connect(ref.epos, { url: wsUrl(p), apiKey: key, softwareHouseId: SOFTWARE_HOUSE, reconnect: { minMs: 50, maxMs: 200 } });
  conn.on('error', () => {});
  t.after(async () => {
    await conn.close();
    await p.destroy();
    ref.close();
  });
  await until(() => p.gateway.isConnected(TENANT), 'the first connection');

  const { dataDir, port } = p;
  await p.stop();
  // One turn of the event loop, so this process's HTTP pool sees the old server close the
  // connection register() kept alive (a restart starting with no I/O wait would race it).
  await new Promise((r) => setTimeout(r, 10));
  p = await testPlatform({ dataDir, port, callTimeoutMs: 3000, connectGraceMs: 2000 });
  // No waiting for the socket: the call rides the connect grace.
  const res = await api(p.url, 'GET', '/epos/data/v1/areas', { key });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.length, 3);
});

test('a call still in flight when the platform stops (its drain deadline passed) is answered 503 PLATFORM_STOPPING, and the SDK is back after the restart', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let slow = true;
  const epos = defineEpos({
    ListAreas: async () => {
      if (slow) await gate;
      return [{ id: 'a1', name: 'Room' }];
    },
  });
  let p = await testPlatform({ callTimeoutMs: 3000, connectGraceMs: 2000 });
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  await register(epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SOFTWARE_HOUSE, transport: 'ws' });
  const conn = connect(epos, { url: wsUrl(p), apiKey: key, softwareHouseId: SOFTWARE_HOUSE, reconnect: { minMs: 20, maxMs: 100 }, drainTimeoutMs: 200 });
  conn.on('error', () => {});
  t.after(async () => {
    release();
    await conn.close();
    await p.destroy();
  });
  await until(() => p.gateway.isConnected(TENANT), 'the EPOS socket');

  const inFlight = api(p.url, 'GET', '/epos/data/v1/areas', { key });
  await until(() => conn.inFlight === 1, 'the call to reach the handler');
  const { dataDir, port } = p;
  await p.drain({ deadlineMs: 100 });
  const res = await inFlight;
  assert.equal(res.status, 503, res.text);
  assert.equal(res.body.error, 'PLATFORM_STOPPING');
  release(); // the handler answers into a closed socket; the SDK drops the answer quietly
  slow = false;

  p = await testPlatform({ dataDir, port, callTimeoutMs: 3000, connectGraceMs: 2000 });
  const again = await api(p.url, 'GET', '/epos/data/v1/areas', { key });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body, [{ id: 'a1', name: 'Room' }]);
});

test('a REST registration (its encrypted password included) survives the platform restart', async (t) => {
  const ref = createReferenceEpos({ dbPath: ':memory:', clock: fakeClock().now });
  const server = createServer(restHandler(ref.epos, { username: REST_USER, password: REST_PASS }));
  const url = await listen(server);
  let p = await testPlatform({ callTimeoutMs: 3000 });
  t.after(async () => {
    await p.destroy();
    server.closeAllConnections();
    server.close();
    ref.close();
  });
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  await register(ref.epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SOFTWARE_HOUSE, transport: 'rest', url, username: REST_USER, password: REST_PASS });
  const first = await api(p.url, 'GET', '/epos/data/v1/orders/ord_0003/bill', { key });
  assert.equal(first.status, 200, first.text);

  const { dataDir, port } = p;
  await p.stop();
  // This test's own fetch pool holds a keep-alive socket the old platform closed; let the event loop
  // see that close before the same process dials the same port again.
  await new Promise((r) => setTimeout(r, 20));
  p = await testPlatform({ dataDir, port, callTimeoutMs: 3000 });
  const again = await api(p.url, 'GET', '/epos/data/v1/orders/ord_0003/bill', { key });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body, first.body);
});

test('a handler returning a wrong type: the SDK reports it with its JSON path, the product gets an error, the platform keeps serving', async (t) => {
  const p = await testPlatform({ callTimeoutMs: 3000, connectGraceMs: 500 });
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  const reports: ContractErrorReport[] = [];
  const order = (id: string, total: unknown) => ({
    id, status: 'Accepted', details: { orderType: 'DineIn', dineIn: { tableId: 'tbl_01' } }, totalAmount: { value: total, currencyCode: 'GBP' },
  });
  const handlers = {
    // The classic mistake: an amount as a decimal string instead of integer minor units.
    GetOrderById: async ({ orderId }: { orderId: string }) => (orderId === 'bad' ? order('bad', '12.50') : order(orderId, 1250)) as never,
    ListAreas: async () => [{ id: 'area_1', name: 42 }] as never,
  };
  const epos = defineEpos(handlers, { onContractError: (r) => reports.push(r) });
  const conn = await connectedEpos(t, p, key, epos);

  const bad = await api(p.url, 'GET', '/epos/data/v1/orders/bad', { key });
  assert.equal(bad.status, 502, bad.text);
  assert.equal(bad.body.errorType, 'UnexpectedError');
  assert.match(bad.body.debugMessage, /\$\.totalAmount\.value/);
  assert.equal(typeof bad.body.traceId, 'string');
  assert.equal(reports.length, 1);
  const [report] = reports;
  assert.equal(report!.capability, 'GetOrderById');
  assert.equal(report!.direction, 'result');
  assert.equal(report!.issues[0]!.path, '$.totalAmount.value');
  assert.equal(report!.issues[0]!.actual, '12.50');
  assert.match(report!.message, /\$\.totalAmount\.value/);

  const areas = await api(p.url, 'GET', '/epos/data/v1/areas', { key });
  assert.equal(areas.status, 502, areas.text);
  assert.equal(areas.body.errorType, 'UnexpectedError');
  assert.equal(reports.at(-1)!.issues[0]!.path, '$[0].name');

  // The platform and the socket are fine: the next good call is answered.
  const good = await api(p.url, 'GET', '/epos/data/v1/orders/ord-7', { key });
  assert.equal(good.status, 200, good.text);
  assert.equal(good.body.totalAmount.value, 1250);
  assert.ok(conn.connected);
  assert.ok(p.gateway.isConnected(TENANT));
});

test('with the SDK checks off, the platform catches the same mistake: 502 CONTRACT_VIOLATION with the path', async (t) => {
  const p = await testPlatform({ callTimeoutMs: 3000, connectGraceMs: 500 });
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  const reports: ContractErrorReport[] = [];
  const epos = defineEpos(
    {
      GetOrderById: async ({ orderId }) => ({
        id: orderId, status: 'Accepted', details: { orderType: 'DineIn', dineIn: {} },
        ...(orderId === 'bad' ? { payments: [{ paidAmount: { value: 1.5, currencyCode: 'GBP' } }] } : {}),
      }) as never,
    },
    { validate: false, onContractError: (r) => reports.push(r) },
  );
  const conn = await connectedEpos(t, p, key, epos);

  const bad = await api(p.url, 'GET', '/epos/data/v1/orders/bad', { key });
  assert.equal(bad.status, 502, bad.text);
  assert.equal(bad.body.error, 'CONTRACT_VIOLATION');
  assert.equal(bad.body.details[0].path, '$.payments[0].paidAmount.value');
  assert.equal(reports.length, 0, 'checks off: nothing reported by the SDK');
  const good = await api(p.url, 'GET', '/epos/data/v1/orders/fine', { key });
  assert.equal(good.status, 200, good.text);
});
