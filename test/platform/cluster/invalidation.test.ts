// Cluster-wide state over the bus: a registration change or a key revoke on one node reaches the
// others' caches within a second; a node that loses NATS keeps serving its own sockets and answers
// calls for other nodes' sockets with 503 CLUSTER_UNAVAILABLE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, defineEpos, register } from '../../../packages/sdk/src/index.ts';
import type { Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';
import { api } from '../../helpers/platform.ts';
import { natsRelay, testCluster, type ClusterNode } from '../../helpers/cluster.ts';
import { until } from '../../e2e/setup.ts';

const TENANT: Tenant = { accountId: 'cluster-acct', env: 'sandbox' };
const SH = 'cluster-till';
const epos = defineEpos({ GetOrderById: ({ orderId }) => ({ id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } }) });

test('a registration PUT on B is enforced on A within 1 s (A\'s cached entry is dropped)', async (t) => {
  const c = await testCluster(['A', 'B']);
  t.after(() => c.destroy());
  const [a, b] = c.nodes as [ClusterNode, ClusterNode];
  await register(epos, { platformUrl: a.url, apiKey: c.key, softwareHouseId: SH, transport: 'ws' });
  assert.deepEqual(await a.registry.transportsFor(TENANT, 'GetOrderById'), { ws: true, rest: false }); // cached on A now
  // B's PUT writes the shared store behind A's cache; only the invalidation tells A.
  const put = await api(b.url, 'PUT', '/epos/integrations/ws', { key: c.key, softwareHouseId: SH, body: { capabilities: [] } });
  assert.ok(put.status < 300, put.text);
  const t0 = performance.now();
  await until(async () => !(await a.registry.transportsFor(TENANT, 'GetOrderById')).ws, 'A to drop the registration', 1000);
  const r = await api(a.url, 'GET', '/epos/data/v1/orders/o', { key: c.key });
  assert.equal(r.body.error, 'CAPABILITY_NOT_REGISTERED', r.text);
  assert.ok(performance.now() - t0 < 1000);
});

test('a key revoked on B closes the sockets it opened on A within 1 s', async (t) => {
  const c = await testCluster(['A', 'B']);
  t.after(() => c.destroy());
  const [a, b] = c.nodes as [ClusterNode, ClusterNode];
  await register(epos, { platformUrl: a.url, apiKey: c.key, softwareHouseId: SH, transport: 'ws' });
  const conn = connect(epos, { url: a.url.replace(/^http/, 'ws') + '/epos', apiKey: c.key, softwareHouseId: SH, reconnect: false });
  conn.on('error', () => {});
  t.after(() => conn.close());
  await until(() => a.gateway.isConnected(TENANT), 'the socket on A');
  const t0 = performance.now();
  assert.equal(await b.keys.revoke(c.keyRecord.id), true);
  await until(() => !a.gateway.isConnected(TENANT), 'A to close the revoked key\'s socket', 1000);
  assert.ok(performance.now() - t0 < 1000);
});

test('NATS lost: local sockets still serve, calls for sockets on other nodes get 503 CLUSTER_UNAVAILABLE', async (t) => {
  const relay = await natsRelay();
  const c = await testCluster(['A', 'B'], { connectGraceMs: 300, natsUrl: (id) => (id === 'B' ? relay.url : 'nats://127.0.0.1:4222') });
  t.after(() => c.destroy());
  const [a, b] = c.nodes as [ClusterNode, ClusterNode];
  for (const n of c.nodes) await register(epos, { platformUrl: n.url, apiKey: c.key, softwareHouseId: SH, transport: 'ws' });
  const onA = connect(epos, { url: a.url.replace(/^http/, 'ws') + '/epos', apiKey: c.key, softwareHouseId: SH });
  onA.on('error', () => {});
  t.after(() => onA.close());
  await until(() => b.bus.presence.holders('sandbox:cluster-acct').includes('A'), 'presence of A on B');
  assert.equal((await api(b.url, 'GET', '/epos/data/v1/orders/o', { key: c.key })).status, 200);

  relay.cut();
  await until(() => !b.bus.connected, 'B to notice NATS is gone');
  const remote = await api(b.url, 'GET', '/epos/data/v1/orders/o', { key: c.key });
  assert.equal(remote.status, 503, remote.text);
  assert.equal(remote.body.error, 'CLUSTER_UNAVAILABLE');

  // A second account whose EPOS is on B itself keeps working.
  const other = await b.keys.create('local-acct', 'sandbox');
  await register(epos, { platformUrl: b.url, apiKey: other.key, softwareHouseId: SH, transport: 'ws' });
  const onB = connect(epos, { url: b.url.replace(/^http/, 'ws') + '/epos', apiKey: other.key, softwareHouseId: SH });
  onB.on('error', () => {});
  t.after(() => onB.close());
  await until(() => b.gateway.isConnected({ accountId: 'local-acct', env: 'sandbox' }), 'the socket on B');
  const local = await api(b.url, 'GET', '/epos/data/v1/orders/o', { key: other.key });
  assert.equal(local.status, 200, local.text);
});
