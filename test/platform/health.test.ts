// EPOS health for the console: the sockets a tenant has open (with what SDK, keep-alive and calls in
// flight), which products it is ready for, what a PUT dropped, and the history of its registrations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { connect, defineEpos, register, type Epos } from '../../packages/sdk/src/index.ts';
import { createReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import { testCluster, natsRelay, type ClusterNode } from '../helpers/cluster.ts';
import { until } from '../e2e/setup.ts';

const SH = 'health-till';
const SDK_VERSION = JSON.parse(readFileSync(new URL('../../packages/sdk/package.json', import.meta.url), 'utf8')).version as string;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const cap = (name: string) => ({ name, version: 'v1' });

async function setup(t: { after(fn: () => Promise<void>): void }, opts: Parameters<typeof testPlatform>[0] = {}) {
  const p = await testPlatform(opts);
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-health', 'sandbox');
  // Isolation: another account, and the same account's production environment.
  const other = (await p.keys.create('acc-other', 'sandbox')).key;
  const prod = (await p.keys.create('acc-health', 'production')).key;
  return { p, key, other, prod };
}

function wsUrl(p: { url: string }): string {
  return `${p.url.replace(/^http/, 'ws')}/epos`;
}

async function attach(t: { after(fn: () => Promise<void>): void }, p: TestPlatform, key: string, epos: Epos) {
  const conn = connect(epos, { url: wsUrl(p), apiKey: key, softwareHouseId: SH, reconnect: false, drainTimeoutMs: 200 });
  conn.on('error', () => {});
  t.after(() => conn.close());
  await once(conn, 'connect');
  return conn;
}

test('connections: an SDK socket shows its node, address, SDK name and version, keep-alive times and calls in flight', async (t) => {
  // A short ping period so a pong is seen soon; not so short that a loaded machine misses one (the socket would be cut).
  const { p, key, other, prod } = await setup(t, { pingIntervalMs: 1000 });
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const epos = defineEpos({
    GetOrderById: async ({ orderId }) => {
      if (orderId === 'held') await gate;
      return { id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } };
    },
  });
  await attach(t, p, key, epos);
  await register(epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SH, transport: 'ws' });

  const get = (k = key) => api(p.url, 'GET', '/epos/connections', { key: k });
  // A pong comes back within a ping period or two.
  await until(async () => (await get()).body.connections[0]?.lastPongAt !== undefined, 'a pong', 10_000);
  const first = await get();
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.connections.length, 1);
  const [c] = first.body.connections;
  assert.equal(c.node, p.bus.nodeId);
  assert.match(c.id, /^c[0-9a-z]+$/);
  assert.match(c.connectedAt, ISO);
  assert.match(c.remoteAddress, /127\.0\.0\.1$/);
  assert.deepEqual(c.sdk, { name: '@eposgate/sdk', version: SDK_VERSION });
  assert.match(c.lastPingAt, ISO);
  assert.match(c.lastPongAt, ISO);
  assert.equal(c.inFlight, 0);
  assert.equal(c.serving, true);
  assert.deepEqual(first.body.registered, { ws: ['GetOrderById'], rest: null });
  assert.deepEqual(first.body.unreachable, []);

  // A call the EPOS holds is in flight on its socket until it answers.
  const held = api(p.url, 'GET', '/epos/data/v1/orders/held', { key });
  await until(async () => (await get()).body.connections[0]?.inFlight === 1, 'the held call in flight');
  release();
  assert.equal((await held).status, 200);
  assert.equal((await get()).body.connections[0].inFlight, 0);

  // Another tenant sees none of it.
  for (const k of [other, prod]) {
    const r = await get(k);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { connections: [], registered: { ws: null, rest: null }, unreachable: [] });
  }
});

test('connections: an eposgate-sdk header that is too long or malformed is ignored, the socket accepted; one from another EPOS is shown', async (t) => {
  const { p, key } = await setup(t);
  const open = async (sdk: string) => {
    const ws = new WebSocket(wsUrl(p), { headers: { authorization: `Basic ${key}`, 'software-house-id': SH, 'eposgate-sdk': sdk } });
    t.after(async () => ws.close());
    await once(ws, 'open');
  };
  await open(`acme-pos/${'9'.repeat(120)}`);
  await open('no version here');
  await open('acme-pos/2.4.1');
  const r = await api(p.url, 'GET', '/epos/connections', { key });
  assert.equal(r.body.connections.length, 3);
  assert.deepEqual(r.body.connections.map((c: any) => c.sdk ?? null), [{ name: 'acme-pos', version: '2.4.1' }, null, null], 'newest first');
  assert.deepEqual(r.body.connections.map((c: any) => c.serving), [true, false, false]);
});

test('readiness: not applicable before registration, not tested after it, ready for Pay at Table after its tester run', async (t) => {
  const { p, key, other } = await setup(t);
  const product = async (k: string, name: string) => {
    const r = await api(p.url, 'GET', '/epos/readiness', { key: k });
    assert.equal(r.status, 200, r.text);
    return r.body.products.find((x: any) => x.product === name);
  };
  const before = await api(p.url, 'GET', '/epos/readiness', { key });
  assert.deepEqual(before.body.products.map((x: any) => [x.product, x.status]),
    [['Pay at Table', 'not applicable'], ['Order and Pay', 'not applicable'], ['Bookings', 'not applicable']]);
  const pat = before.body.products[0];
  const needs = (x: any, need: string) => x.capabilities.filter((c: any) => c.need === need).map((c: any) => c.name);
  assert.deepEqual(needs(pat, 'required'), ['SearchOrders', 'GetOrderById', 'RecordOrderPaymentById']);
  for (const lock of ['CreateOrderLock', 'DeleteOrderLock']) assert.ok(needs(pat, 'optional').includes(lock), `${lock} is optional`);
  assert.ok(pat.capabilities.every((c: any) => c.registered === false && c.proven === null));
  assert.match(pat.rule, /SearchOrders, GetOrderById and RecordOrderPaymentById are registered/);
  assert.match(pat.rule, /optional: .*CreateOrderLock/);
  assert.ok(pat.reasons.some((r: string) => r.includes('Pay at Table needs')), JSON.stringify(pat.reasons));

  const ref = createReferenceEpos({ dbPath: ':memory:' });
  t.after(async () => ref.close());
  await attach(t, p, key, ref.epos);
  await register(ref.epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SH, transport: 'ws' });
  const registered = await product(key, 'Pay at Table');
  assert.equal(registered.status, 'not tested');
  assert.ok(registered.capabilities.every((c: any) => c.registered === true && c.proven === null));
  assert.deepEqual(registered.reasons, ['Pay at Table was not run']);

  const flowId = (await api<string>(p.url, 'POST', '/epos-tester-tool/flows', { key, body: { flow: 'Pay at Table', params: {} }, softwareHouseId: SH })).body;
  await until(async () => (await api(p.url, 'GET', `/epos-tester-tool/flows/${flowId}`, { key })).body.status !== 'IN_PROGRESS', 'the Pay at Table run', 30_000);
  const run = (await api(p.url, 'GET', `/epos-tester-tool/flows/${flowId}`, { key })).body;
  assert.equal(run.status, 'SUCCESS', JSON.stringify(run.steps.map((s: any) => [s.name, s.status, s.additionalInformation])));
  const ready = await product(key, 'Pay at Table');
  assert.equal(ready.status, 'ready', JSON.stringify(ready.reasons));
  assert.deepEqual(ready.passed, ['Pay at Table']);
  for (const c of ready.capabilities.filter((x: any) => x.need === 'required')) {
    assert.equal(c.proven, true, c.name);
    assert.equal(c.provenAt, run.finishedAt);
  }
  assert.equal(ready.capabilities.find((c: any) => c.name === 'CreateOrderLock').proven, null, 'no locking flow ran');
  assert.equal((await product(key, 'Bookings')).status, 'not tested', 'registered, never tested');
  assert.equal((await product(other, 'Pay at Table')).status, 'not applicable', 'another tenant: nothing registered, nothing proven');
});

test('PUT answers the capabilities it dropped in eposgate-dropped; the body stays the published array', async (t) => {
  const { p, key } = await setup(t);
  const put = (names: string[]) => api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: names.map(cap) } });
  const first = await put(['GetOrderById', 'SearchOrders', 'ListAreas']);
  assert.equal(first.headers.get('eposgate-dropped'), '[]');
  assert.ok(Array.isArray(first.body));
  const second = await put(['SearchOrders', 'SearchTables']);
  assert.deepEqual(JSON.parse(second.headers.get('eposgate-dropped')!), ['GetOrderById', 'ListAreas']);
  assert.deepEqual(Object.keys(second.body[0]).sort(), ['capabilities', 'createdAt']);
  assert.equal((await put(['SearchOrders', 'SearchTables'])).headers.get('eposgate-dropped'), '[]', 'unchanged');
  const cleared = await put([]);
  assert.deepEqual(cleared.body, []);
  assert.deepEqual(JSON.parse(cleared.headers.get('eposgate-dropped')!), ['SearchOrders', 'SearchTables']);
  // Each transport is compared with its own previous registration.
  const rest = await api(p.url, 'PUT', '/epos/integrations/rest', {
    key, body: { capabilities: [cap('GetOrderById')], url: 'https://epos.example/dojo', auth: { authType: 'basic', basic: { username: 'u', password: 'pw-secret-1' } } },
  });
  assert.equal(rest.headers.get('eposgate-dropped'), '[]');
});

test('history: each change is a row, newest first, paged by cursor; never a password; unchanged PUTs add none; isolated per tenant', async (t) => {
  const { p, key, other, prod } = await setup(t);
  const ws = (names: string[]) => api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: names.map(cap) } });
  await ws(['GetOrderById']);
  await ws(['GetOrderById']);
  await ws(['GetOrderById', 'SearchOrders']);
  await api(p.url, 'PUT', '/epos/integrations/rest', {
    key, body: { capabilities: [cap('ListAreas')], url: 'https://epos.example/dojo', auth: { authType: 'basic', basic: { username: 'u', password: 'pw-secret-1' } } },
  });
  await api(p.url, 'PUT', '/epos/integrations/rest', {
    key, body: { capabilities: [cap('ListAreas')], url: 'https://epos.example/dojo', auth: { authType: 'basic', basic: { username: 'u', password: 'pw-secret-2' } } },
  });
  await ws(['SearchOrders']);
  await ws([]);

  const page = (q: string, k = key) => api(p.url, 'GET', `/epos/integrations/history${q}`, { key: k });
  const all = await page('');
  assert.equal(all.status, 200, all.text);
  assert.equal(all.body.changes.length, 6, 'the repeated PUT changed nothing and is not a row');
  assert.equal(all.body.nextCursor, undefined);
  assert.ok(!all.text.includes('pw-secret'), 'no password');
  const [removed, narrowed, newPassword, restFirst, widened, firstWs] = all.body.changes;
  assert.deepEqual(
    [removed, narrowed, widened, firstWs].map((c: any) => [c.transport, c.capabilities, c.added, c.dropped]),
    [
      ['ws', [], [], ['SearchOrders']],
      ['ws', ['SearchOrders'], [], ['GetOrderById']],
      ['ws', ['GetOrderById', 'SearchOrders'], ['SearchOrders'], []],
      ['ws', ['GetOrderById'], ['GetOrderById'], []],
    ]);
  assert.deepEqual([restFirst.transport, restFirst.url, restFirst.added], ['rest', 'https://epos.example/dojo', ['ListAreas']]);
  assert.deepEqual([newPassword.added, newPassword.dropped], [[], []], 'a new password is a change, and says only that');
  for (const c of all.body.changes) {
    assert.match(c.at, ISO);
    assert.equal(c.softwareHouseId, 'test-software-house');
    assert.match(c.keyHint, /^sk_sandbox_/);
  }
  assert.deepEqual(all.body.changes.map((c: any) => Number(c.id)), [6, 5, 4, 3, 2, 1]);

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await page(`?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    seen.push(...r.body.changes.map((c: any) => c.id));
    cursor = r.body.nextCursor;
    pages += 1;
  } while (cursor);
  assert.equal(pages, 2);
  assert.deepEqual(seen, all.body.changes.map((c: any) => c.id));

  for (const [q, path] of [['?limit=0', '$.query.limit'], ['?limit=201', '$.query.limit'], ['?cursor=abc', '$.query.cursor']]) {
    const r = await page(q!);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error, 'VALIDATION_FAILED');
    assert.equal(r.body.details[0].path, path);
  }
  assert.equal((await page('?limit=200')).status, 200);
  for (const k of [other, prod]) assert.deepEqual((await page('', k)).body, { changes: [] });
});

test('connections in a cluster: a node lists the sockets another node holds, and reports a node that does not answer', async (t) => {
  const relay = await natsRelay();
  // A long presence TTL: node A stays a known holder after its bus is cut, so B must ask it and fail.
  const c = await testCluster(['A', 'B'], { natsUrl: (id) => (id === 'A' ? relay.url : 'nats://127.0.0.1:4222'), ttlMs: 30_000 });
  t.after(() => c.destroy());
  const [a, b] = c.nodes as [ClusterNode, ClusterNode];
  const epos = defineEpos({ GetOrderById: ({ orderId }) => ({ id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } }) });
  await register(epos, { platformUrl: b.url, apiKey: c.key, softwareHouseId: SH, transport: 'ws' });
  const conn = connect(epos, { url: `${a.url.replace(/^http/, 'ws')}/epos`, apiKey: c.key, softwareHouseId: SH, reconnect: false });
  conn.on('error', () => {});
  t.after(() => conn.close());
  await once(conn, 'connect');
  await until(() => b.bus.presence.holders('sandbox:cluster-acct').includes('A'), 'presence of A on B');

  const onB = await api(b.url, 'GET', '/epos/connections', { key: c.key });
  assert.equal(onB.status, 200, onB.text);
  assert.deepEqual(onB.body.connections.map((x: any) => [x.node, x.sdk?.name]), [['A', '@eposgate/sdk']]);
  assert.deepEqual(onB.body.registered.ws, ['GetOrderById']);
  assert.deepEqual(onB.body.unreachable, []);

  relay.cut();
  const cut = await api(b.url, 'GET', '/epos/connections', { key: c.key });
  assert.equal(cut.status, 200, cut.text);
  assert.deepEqual(cut.body.connections, []);
  assert.deepEqual(cut.body.unreachable.map((u: any) => u.node), ['A']);
});
