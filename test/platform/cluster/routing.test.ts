// Product calls on any node reach the EPOS socket held by another node, once, with the same
// answers and typed errors as a local call; presence follows sockets and dead nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, defineEpos, EposError, register, type Epos } from '../../../packages/sdk/src/index.ts';
import type { Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';
import { api } from '../../helpers/platform.ts';
import { testCluster, type ClusterNode, type TestCluster } from '../../helpers/cluster.ts';
import { until } from '../../e2e/setup.ts';

const TENANT: Tenant = { accountId: 'cluster-acct', env: 'sandbox' };
const SH = 'cluster-till';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An EPOS counting its runs; 'slow' answers after 3 s and 'hang' after 4 s, or when the test ends
 * (the SDK's close, and so a node's, waits for a handler in flight, so the file waited for them).
 * Made before the cluster: its release must run before the cluster's destroy.
 */
function countingEpos(t: { after(fn: () => unknown): void }, runs: Map<string, number>): Epos {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  t.after(() => release()); // before the cluster's destroy and the close: hooks run in the order they were added
  const held = (ms: number) => new Promise<void>((r) => {
    const timer = setTimeout(r, ms);
    void released.then(() => { clearTimeout(timer); r(); });
  });
  return defineEpos({
    GetOrderById: async ({ orderId }) => {
      runs.set(orderId, (runs.get(orderId) ?? 0) + 1);
      if (orderId === 'slow') await held(3000); // outlasts the 1500 ms call timeout
      if (orderId === 'hang') await held(4000); // outlasts A's expiry on B
      return { id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } };
    },
    CancelOrderById: ({ orderId }) => {
      throw new EposError('Conflict', `order ${orderId} has payments`);
    },
  });
}

/** Registers the EPOS (through node C, or the last node: the store is shared) and connects it to `on`. */
async function attach(t: { after(fn: () => Promise<void>): void }, c: TestCluster, epos: Epos, on: ClusterNode) {
  await register(epos, { platformUrl: c.nodes.at(-1)!.url, apiKey: c.key, softwareHouseId: SH, transport: 'ws' });
  const conn = connect(epos, { url: on.url.replace(/^http/, 'ws') + '/epos', apiKey: c.key, softwareHouseId: SH, reconnect: { minMs: 20, maxMs: 100 } });
  conn.on('error', () => {});
  t.after(() => conn.close());
  await until(() => on.gateway.isConnected(TENANT), 'the EPOS socket');
  return conn;
}

test('a call on node B or C runs once on the EPOS held by node A and answers as a local call would', async (t) => {
  const runs = new Map<string, number>();
  const epos = countingEpos(t, runs);
  const c = await testCluster(['A', 'B', 'C'], { callTimeoutMs: 1500 });
  t.after(() => c.destroy());
  const [a, b, cc] = c.nodes as [ClusterNode, ClusterNode, ClusterNode];
  await attach(t, c, epos, a);
  await until(() => b.bus.presence.holders('sandbox:cluster-acct').includes('A') && cc.bus.presence.holders('sandbox:cluster-acct').includes('A'), 'presence of A on B and C');

  const local = await api(a.url, 'GET', '/epos/data/v1/orders/o-a', { key: c.key });
  assert.equal(local.status, 200, local.text);
  for (const [n, id] of [[b, 'o-b'], [cc, 'o-c']] as const) {
    const r = await api(n.url, 'GET', `/epos/data/v1/orders/${id}`, { key: c.key });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { ...local.body, id });
  }
  // Many at once through B: each ran exactly once on the EPOS.
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => api(b.url, 'GET', `/epos/data/v1/orders/m${i}`, { key: c.key })));
  assert.ok(many.every((r) => r.status === 200));
  for (let i = 0; i < 50; i += 1) assert.equal(runs.get(`m${i}`), 1, `m${i} ran once`);
  assert.equal(runs.get('o-b'), 1);
  assert.equal(runs.get('o-c'), 1);

  // An EPOSError: the same status, code and eposError as on A.
  const errA = await api(a.url, 'DELETE', '/epos/data/v1/orders/o1', { key: c.key });
  const errB = await api(b.url, 'DELETE', '/epos/data/v1/orders/o1', { key: c.key });
  assert.equal(errA.status, 409, errA.text);
  assert.equal(errB.status, errA.status, errB.text);
  assert.deepEqual({ ...errB.body, traceId: undefined }, { ...errA.body, traceId: undefined });
  assert.equal(errB.body.errorType, 'Conflict');

  // A timeout on A's socket comes back as EPOS_TIMEOUT, not as a bus failure.
  const slow = await api(cc.url, 'GET', '/epos/data/v1/orders/slow', { key: c.key });
  assert.equal(slow.status, 504, slow.text);
  assert.equal(slow.body.error, 'EPOS_TIMEOUT');
  assert.match(slow.body.message, /within 1500 ms/);
  assert.equal(runs.get('slow'), 1);
});

test('no socket anywhere is 503 EPOS_NOT_CONNECTED after the grace; a socket opening on another node during the grace serves the call', async (t) => {
  const runs = new Map<string, number>();
  const epos = countingEpos(t, runs);
  const c = await testCluster(['A', 'B'], { callTimeoutMs: 3000, connectGraceMs: 1500 });
  t.after(() => c.destroy());
  const [a, b] = c.nodes as [ClusterNode, ClusterNode];
  await register(epos, { platformUrl: a.url, apiKey: c.key, softwareHouseId: SH, transport: 'ws' });

  const t0 = performance.now();
  const none = await api(b.url, 'GET', '/epos/data/v1/orders/x', { key: c.key });
  assert.equal(none.status, 503, none.text);
  assert.equal(none.body.error, 'EPOS_NOT_CONNECTED');
  assert.ok(performance.now() - t0 < 2500);

  const pending = api(b.url, 'GET', '/epos/data/v1/orders/late', { key: c.key });
  await sleep(200);
  const conn = connect(epos, { url: a.url.replace(/^http/, 'ws') + '/epos', apiKey: c.key, softwareHouseId: SH });
  conn.on('error', () => {});
  t.after(() => conn.close());
  const r = await pending;
  assert.equal(r.status, 200, r.text);
  assert.equal(runs.get('late'), 1);
});

test('a node that dies without goodbye is forgotten within the TTL; one that closes is forgotten at once', async (t) => {
  const epos = countingEpos(t, new Map());
  const c = await testCluster(['A', 'B', 'C'], { callTimeoutMs: 6000, connectGraceMs: 100 });
  t.after(() => c.destroy());
  const [a, b, cc] = c.nodes as [ClusterNode, ClusterNode, ClusterNode];
  await attach(t, c, epos, a);
  await until(() => b.bus.presence.holders('sandbox:cluster-acct').includes('A'), 'presence of A on B');
  const ok = await api(b.url, 'GET', '/epos/data/v1/orders/o', { key: c.key });
  assert.equal(ok.status, 200, ok.text);

  const inFlight = api(b.url, 'GET', '/epos/data/v1/orders/hang', { key: c.key });
  await sleep(100);
  await a.natsBus.crash();
  const t0 = performance.now();
  await until(() => b.bus.presence.holders('sandbox:cluster-acct').length === 0, 'A to expire on B', 3000);
  const took = performance.now() - t0;
  assert.ok(took < 1500, `expired after ${Math.round(took)} ms (ttl 800 ms)`);
  // The call that was on A fails when A is dropped, not at its 6 s timeout.
  const lost = await inFlight;
  assert.equal(lost.status, 502, lost.text);
  assert.equal(lost.body.error, 'EPOS_UNREACHABLE');
  assert.match(lost.body.message, /left the cluster mid-call/);
  assert.ok(performance.now() - t0 < 2000);
  const gone = await api(b.url, 'GET', '/epos/data/v1/orders/o', { key: c.key });
  assert.equal(gone.status, 503, gone.text);
  assert.equal(gone.body.error, 'EPOS_NOT_CONNECTED');

  // C closes properly: B drops it on the goodbye, well before the TTL.
  await until(() => b.bus.presence.peerIds().includes('C'), 'B to know C');
  await cc.stop();
  await until(() => !b.bus.presence.peerIds().includes('C'), 'the goodbye of C', 300);
});

test('a node whose own event loop was blocked past the TTL does not take its live peers for dead', async (t) => {
  const c = await testCluster(['A', 'B']);
  t.after(() => c.destroy());
  const [a, b] = c.nodes as [ClusterNode, ClusterNode];
  await until(() => b.bus.presence.peerIds().includes('A') && a.bus.presence.peerIds().includes('B'), 'A and B to know each other');
  let dropped = 0;
  const unwatch = b.bus.presence.watchNode('A', () => { dropped += 1; });
  t.after(unwatch);
  // Both nodes share this loop: blocking it (a long GC, validators compiling) delays every tick
  // and leaves the heartbeats unread in the socket for 2× the TTL (800 ms).
  const end = Date.now() + 1600;
  while (Date.now() < end) { /* blocked */ }
  await sleep(150);
  assert.equal(dropped, 0, 'B dropped A after its own loop was blocked');
  assert.ok(b.bus.presence.peerIds().includes('A'));
  assert.ok(a.bus.presence.peerIds().includes('B'));
});
