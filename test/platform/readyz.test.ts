// GET /readyz: ready when the store answers and (cluster) the bus is up; 503 naming the failing
// check otherwise, and while draining. GET /healthz stays liveness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, testPlatform } from '../helpers/platform.ts';
import { rawWsEpos } from '../helpers/rawEpos.ts';
import { natsRelay, testCluster } from '../helpers/cluster.ts';

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a single node is ready when its store answers; the bus check is n/a', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const res = await api(p.url, 'GET', '/readyz');
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { status: 'ready', checks: { store: 'ok', bus: 'n/a' } });
  assert.equal((await api(p.url, 'GET', '/healthz')).status, 200);
});

test('a closed store makes the node not ready, naming the store; /healthz still answers', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  p.store.db.close();
  const res = await api(p.url, 'GET', '/readyz');
  assert.equal(res.status, 503, res.text);
  assert.equal(res.body.status, 'not ready');
  assert.deepEqual(res.body.failing, ['store']);
  assert.equal(res.body.checks.store, 'failing');
  assert.match(res.body.message, /^store: /);
  assert.equal((await api(p.url, 'GET', '/healthz')).status, 200, 'liveness does not depend on the store');
});

test('while draining /readyz answers 503 naming the drain, other routes PLATFORM_STOPPING', async (t) => {
  const p = await testPlatform({ connectGraceMs: 50 });
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-a', 'sandbox');
  assert.equal((await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } })).status, 200);
  // A call held by the EPOS keeps the drain going while /readyz is asked.
  const epos = await rawWsEpos(p.url, key, () => ({ silent: true }));
  const call = api(p.url, 'GET', '/epos/data/v1/orders/ord_1', { key });
  await until('the call to reach the EPOS', async () => epos.frames.length === 1);
  const drained = p.drain({ deadlineMs: 5000 });
  const res = await api(p.url, 'GET', '/readyz');
  assert.equal(res.status, 503, res.text);
  assert.deepEqual(res.body.failing, ['draining']);
  assert.match(res.body.message, /draining/);
  const other = await api(p.url, 'GET', '/epos/integrations', { key });
  assert.equal(other.body.error, 'PLATFORM_STOPPING');
  await epos.close();
  await call;
  await drained;
});

test('a cluster node is ready with its bus up, and not ready naming the bus once NATS is cut off', async (t) => {
  const relay = await natsRelay();
  const c = await testCluster(['ready-a'], { natsUrl: () => relay.url });
  t.after(() => c.destroy());
  const node = c.nodes[0]!;
  const ok = await api(node.url, 'GET', '/readyz');
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.body, { status: 'ready', checks: { store: 'ok', bus: 'ok' } });
  relay.cut();
  await until('the bus to be seen down', async () => (await api(node.url, 'GET', '/readyz')).status === 503);
  const down = await api(node.url, 'GET', '/readyz');
  assert.deepEqual(down.body.failing, ['bus']);
  assert.deepEqual(down.body.checks, { store: 'ok', bus: 'failing' });
  assert.match(down.body.message, /bus/);
});
