// PostgreSQL going away under a running cluster, as in a restart: the database of its own that this
// test makes stops taking connections and every backend of the nodes' pools is terminated
// (pg_terminate_backend). Meanwhile every node answers 503 STORE_UNAVAILABLE with the reason;
// once connections are allowed again each node serves again without a restart, and nothing refused
// was stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { api } from '../../helpers/platform.ts';
import { testCluster, type ClusterNode } from '../../helpers/cluster.ts';
import { until } from '../events/helpers.ts';
import { TEST_DATABASE } from '../store/pg.ts';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_DATABASE });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

test('a PostgreSQL restart window: every node answers 503 STORE_UNAVAILABLE with the reason, then recovers without a restart', async (t) => {
  const db = `c_outage_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${db}`));
  t.after(() => admin(async (c) => {
    await c.query(`ALTER DATABASE ${db} ALLOW_CONNECTIONS true`);
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }));
  const base = new URL(TEST_DATABASE);
  base.pathname = `/${db}`;
  const c = await testCluster(['A', 'B'], { databaseBase: base.toString(), postgres: { connectTimeoutMs: 1000 } });
  t.after(() => c.destroy());
  const [a, b] = c.nodes as [ClusterNode, ClusterNode];
  const post = (n: ClusterNode, id: string) => api(n.url, 'POST', '/epos/events', {
    key: c.key, softwareHouseId: 'sh-epos', body: { eventType: 'OrderUpdated', event: { orderId: id } },
  });
  assert.equal((await post(a, 'before-a')).status, 200);
  assert.equal((await post(b, 'before-b')).status, 200);

  const killed = await admin(async (q) => {
    await q.query(`ALTER DATABASE ${db} ALLOW_CONNECTIONS false`);
    return (await q.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db])).rowCount;
  });
  assert.ok((killed ?? 0) >= 2, `terminated ${killed} backends of the nodes' pools`);
  for (const [n, id] of [[a, 'during-a'], [b, 'during-b']] as const) {
    const r = await post(n, id);
    assert.equal(r.status, 503, r.text);
    assert.equal(r.body.error, 'STORE_UNAVAILABLE');
    assert.match(r.body.message, /PostgreSQL store .*nothing was written/);
  }

  await admin((q) => q.query(`ALTER DATABASE ${db} ALLOW_CONNECTIONS true`));
  for (const [n, id] of [[a, 'after-a'], [b, 'after-b']] as const) {
    await until(async () => (await post(n, id)).status === 200, 5000, `node ${n.nodeId} to serve again`);
  }
  const listed = await api(a.url, 'GET', '/epos/events', { key: c.key });
  assert.equal(listed.status, 200, listed.text);
  const ids = (listed.body.events as Array<{ event: { orderId: string } }>).map((e) => e.event.orderId);
  assert.deepEqual(ids.filter((i) => !i.startsWith('after')), ['before-a', 'before-b'], 'nothing refused was stored');
  assert.ok(ids.includes('after-a') && ids.includes('after-b'));
});
