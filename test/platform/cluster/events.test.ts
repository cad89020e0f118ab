// Events across the nodes of a cluster (one shared PostgreSQL store, NATS): payment-intent events
// raised on one node reach the EPOS whose socket is on another, at least once and in order, each
// acknowledged once; events that waited for a disconnected EPOS go as soon as it connects on any
// node; the POS event stream of any node shows EPOS events posted to any other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { api } from '../../helpers/platform.ts';
import { TEST_DATABASE } from '../store/pg.ts';
import { testCluster, type ClusterNode } from '../../helpers/cluster.ts';
import { FAST, payment, raise, registerWs, sse, until, wsEpos, type Frame } from '../events/helpers.ts';

const KEY = 'sandbox:cluster-acct';

function ids(frames: Frame[]): string[] {
  return frames.filter((f) => f.method === 'HandleEventV1').map((f) => f.params.id as string);
}

async function states(n: ClusterNode, key: string, want: string[]) {
  return Promise.all(want.map(async (id) => (await api(n.url, 'GET', `/epos/data/v1/events/${id}`, { key })).body));
}

test('events raised on C reach the EPOS on A once each, in order, delivered through any node', async (t) => {
  const c = await testCluster(['A', 'B', 'C'], FAST);
  t.after(() => c.destroy());
  const [a, b, cc] = c.nodes as [ClusterNode, ClusterNode, ClusterNode];
  await registerWs(cc, c.key);
  const epos = await wsEpos(a, c.key);
  t.after(() => epos.close());
  await until(() => b.bus.presence.holders(KEY).includes('A') && cc.bus.presence.holders(KEY).includes('A'), 3000, 'presence of A');

  const sent: string[] = [];
  for (let i = 1; i <= 30; i += 1) {
    const id = `evt-${String(i).padStart(2, '0')}`;
    const r = await raise(i % 2 ? cc : b, c.key, { id, event: 'payment_intent.status_updated', data: payment(`pi_${i}`, 'Authorized') });
    assert.equal(r.status, 202, r.text);
    sent.push(id);
  }
  await until(async () => (await states(a, c.key, sent)).every((e) => e.delivery?.status === 'delivered'), 10_000, 'every event delivered');
  assert.deepEqual(ids(epos.frames), sent, 'each event once, in the order raised');
  for (const e of await states(cc, c.key, sent)) assert.equal(e.delivery.attempts, 1, `${e.id} acknowledged once`);
});

test('events parked while the EPOS was away go as soon as it connects on another node, in order', async (t) => {
  // Parked events wait up to a minute unless a connect anywhere makes them due.
  const c = await testCluster(['A', 'C'], { ...FAST, eventRetryMaxMs: 60_000 });
  t.after(() => c.destroy());
  const [a, cc] = c.nodes as [ClusterNode, ClusterNode];
  await registerWs(cc, c.key);
  const sent = ['p-1', 'p-2', 'p-3'];
  for (const id of sent) assert.equal((await raise(cc, c.key, { id, event: 'payment_intent.created', data: payment(id) })).status, 202);
  // C tried the head event, found no socket anywhere and parked it.
  await until(async () => (await states(cc, c.key, ['p-1']))[0].delivery?.lastError?.code === 'EPOS_NOT_CONNECTED', 3000, 'p-1 parked');

  const t0 = performance.now();
  const epos = await wsEpos(a, c.key);
  t.after(() => epos.close());
  await until(async () => (await states(cc, c.key, sent)).every((e) => e.delivery?.status === 'delivered'), 5000, 'the parked events delivered');
  assert.ok(performance.now() - t0 < 5000);
  assert.deepEqual(ids(epos.frames), sent);
});

test('a due event whose row another node held while this one claimed is delivered within the recheck, though nothing kicks for it', async (t) => {
  // The race behind a rare flake: node X makes the events due and claims, but node Y's makeDue
  // holds the row for that instant (SKIP LOCKED skips it), then changes nothing and kicks nobody.
  // Here the test's own connection plays Y the other way round: it holds the head's row while the
  // EPOS connects (A's makeDue waits), makes it due itself and lets go, so A's makeDue changes
  // nothing and kicks nobody. Without the cluster's recheck the event waited out its 60 s park.
  const c = await testCluster(['A'], { ...FAST, eventRetryMaxMs: 60_000 });
  t.after(() => c.destroy());
  const [a] = c.nodes as [ClusterNode];
  await registerWs(a, c.key);
  assert.equal((await raise(a, c.key, { id: 'r-1', event: 'payment_intent.created', data: payment('r-1') })).status, 202);
  await until(async () => (await states(a, c.key, ['r-1']))[0].delivery?.lastError?.code === 'EPOS_NOT_CONNECTED', 3000, 'r-1 parked');

  const schema = new URL(c.database).searchParams.get('schema')!;
  const y = new pg.Client({ connectionString: TEST_DATABASE });
  await y.connect();
  t.after(() => y.end());
  await y.query('BEGIN');
  await y.query(`SELECT 1 FROM "${schema}".event_outbox WHERE id = 'r-1' FOR UPDATE`);
  const epos = await wsEpos(a, c.key);
  t.after(() => epos.close());
  await new Promise((r) => setTimeout(r, 200)); // A's makeDue is waiting on the row now
  // Due since before A's makeDue began: when the row is let go, that makeDue finds nothing to change.
  await y.query(`UPDATE "${schema}".event_outbox SET next_attempt_at = $1 WHERE id = 'r-1'`, [Date.now() - 60_000]);
  const t0 = performance.now();
  await y.query('COMMIT');
  await until(async () => (await states(a, c.key, ['r-1']))[0].delivery?.status === 'delivered', 5000, 'r-1 delivered');
  assert.ok(performance.now() - t0 < 3000, 'within the cluster recheck (1 s), not the 60 s park');
  assert.deepEqual(ids(epos.frames), ['r-1']);
});

test('the event stream on B shows EPOS events posted to A, in seq order, and a late stream on C re-reads them', async (t) => {
  const c = await testCluster(['A', 'B', 'C'], { sseKeepAliveMs: 60_000 });
  t.after(() => c.destroy());
  const [a, b, cc] = c.nodes as [ClusterNode, ClusterNode, ClusterNode];
  const onB = await sse(`${b.url}/epos/events/stream`, c.key);
  t.after(() => onB.close());
  const posted: string[] = [];
  for (let i = 1; i <= 5; i += 1) {
    const r = await api((i % 2 ? a : cc).url, 'POST', '/epos/events', {
      key: c.key, softwareHouseId: 'sh-epos', body: { eventType: 'OrderUpdated', event: { orderId: `ord-${i}` } },
    });
    assert.equal(r.status, 200, r.text);
    posted.push(`ord-${i}`);
  }
  // Long before the keep-alive (60 s) would have re-read the store: the bus said so.
  await until(() => onB.messages.length === 5, 2000, 'five events on B');
  assert.deepEqual(onB.messages.map((m) => JSON.parse(m.data).event.orderId), posted);
  assert.deepEqual(onB.messages.map((m) => Number(m.id)), [1, 2, 3, 4, 5]);

  const late = await sse(`${cc.url}/epos/events/stream?after=2`, c.key);
  t.after(() => late.close());
  await until(() => late.messages.length === 3, 2000, 'the rest on C');
  assert.deepEqual(late.messages.map((m) => Number(m.id)), [3, 4, 5]);
});
