// Tester flows in a cluster: readable from every node (one shared store), never taken over from a
// peer that is alive (nor by a node that only lost NATS itself), and marked FAILURE by a peer once
// their node is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, defineEpos, register } from '../../../packages/sdk/src/index.ts';
import { api } from '../../helpers/platform.ts';
import { natsRelay, testCluster, type ClusterNode, type TestCluster } from '../../helpers/cluster.ts';
import { until } from '../../e2e/setup.ts';
import { SHID, startFlow, waitFlow } from '../tester/helpers.ts';
import { until as value } from '../events/helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a flow on `a` whose first call its EPOS answers only after 8 s (or when the test ends: the
 * SDK's close waits for a handler in flight); answers the flow id.
 */
async function slowFlowOn(t: { after(fn: () => unknown): void }, c: TestCluster, a: ClusterNode): Promise<string> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  t.after(() => release()); // before the close below: hooks run in the order they were added
  const epos = defineEpos({
    GetOrderById: async ({ orderId }) => {
      // Outlasts the test's checks.
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 8_000);
        void released.then(() => { clearTimeout(timer); r(); });
      });
      return { id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } };
    },
  });
  await register(epos, { platformUrl: a.url, apiKey: c.key, softwareHouseId: SHID, transport: 'ws' });
  const conn = connect(epos, { url: a.url.replace(/^http/, 'ws') + '/epos', apiKey: c.key, softwareHouseId: SHID, reconnect: false });
  conn.on('error', () => {});
  t.after(() => conn.close());
  await until(() => a.gateway.isConnected({ accountId: 'cluster-acct', env: 'sandbox' }), 'the EPOS on A');
  return startFlow(a.url, c.key, 'Get Order', { orderId: 'ord_slow' });
}

const SLOW = { testerCallTimeoutMs: 30_000, drainDeadlineMs: 500 };

test('a flow running on A is readable on B, stays IN_PROGRESS when B starts, and B marks it FAILURE once A is gone', async (t) => {
  const c = await testCluster(['A'], SLOW);
  t.after(() => c.destroy());
  const [a] = c.nodes as [ClusterNode];
  const id = await slowFlowOn(t, c, a);

  const b = await c.addNode('B');
  const readOnB = async () => (await api(b.url, 'GET', `/epos-tester-tool/flows/${id}`, { key: c.key, softwareHouseId: SHID })).body;
  assert.equal((await readOnB()).status, 'IN_PROGRESS', 'B reads A\'s flow from the shared store');
  // Past B's first look for flows of absent nodes (one presence TTL, 800 ms here): A is present.
  await sleep(1500);
  assert.ok(b.bus.presence.peerIds().includes('A'));
  assert.equal((await readOnB()).status, 'IN_PROGRESS', 'a live peer\'s flow is left alone');

  // A falls silent (its bus dies without a goodbye): B drops it after the TTL and takes its flow over.
  const t0 = performance.now();
  await a.natsBus.crash();
  const done = await waitFlow(b.url, c.key, id, 5000);
  assert.ok(performance.now() - t0 < 3000, `taken over after ${Math.round(performance.now() - t0)} ms`);
  assert.equal(done.status, 'FAILURE');
  const notes = done.steps.flatMap((s) => s.additionalInformation as string[]);
  assert.ok(notes.some((l) => /platform node A running this flow left the cluster; the flow did not finish \(taken over by node B at /.test(l)), notes.join('\n'));
});

test('shortly after start, nodes take over the flows of a node that died while none watched, never those of live peers', async (t) => {
  const c = await testCluster(['A']);
  t.after(() => c.destroy());
  const [a] = c.nodes as [ClusterNode];
  const base = { flowName: 'Get Order', status: 'IN_PROGRESS' as const, startedAt: new Date().toISOString(), steps: [],
    tenant: { accountId: 'cluster-acct', env: 'sandbox' as const }, flow: 'Get Order', params: {} };
  await a.store.flows.insert({ ...base, flowID: 'of-a', node: 'A' });
  await a.store.flows.insert({ ...base, flowID: 'of-dead', node: 'Z' });
  const b = await c.addNode('B');
  const dead = await value(async () => {
    const f = await b.store.flows.get(base.tenant, 'of-dead');
    return f?.status === 'FAILURE' ? f : undefined;
  }, 3000, 'Z\'s flow taken over');
  assert.match(dead.steps.at(-1)!.additionalInformation[0]!, /platform node Z running this flow left the cluster/);
  await sleep(1500); // past B's own first look
  assert.equal((await b.store.flows.get(base.tenant, 'of-a'))?.status, 'IN_PROGRESS');
});

test('a node cut off from NATS drops its peers but does not take over their flows', async (t) => {
  const relay = await natsRelay();
  const c = await testCluster(['A'], { ...SLOW, natsUrl: (id) => (id === 'B' ? relay.url : 'nats://127.0.0.1:4222') });
  t.after(() => c.destroy());
  const [a] = c.nodes as [ClusterNode];
  const id = await slowFlowOn(t, c, a);
  const b = await c.addNode('B');
  await until(() => b.bus.presence.peerIds().includes('A'), 'B to know A');

  relay.cut();
  await until(() => !b.bus.presence.peerIds().includes('A'), 'B to drop A', 3000);
  await sleep(2000); // two more TTLs: B asks A again and again, without an answer
  const tenant = { accountId: 'cluster-acct', env: 'sandbox' as const };
  assert.equal((await b.store.flows.get(tenant, id))?.status, 'IN_PROGRESS', 'silence seen from a cut-off node is not death');
});
