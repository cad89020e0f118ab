// Three `eposgate serve` processes on one PostgreSQL schema and NATS, an SDK EPOS connected to node A
// with the list of the three URLs: B and C route product calls to it, a registration PUT on B is
// enforced on C within 1 s, events raised on C reach it in order, and after A is SIGKILLed
// mid-traffic only the calls that were on A fail (typed, promptly) and the EPOS serves through B.
// test: long
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, defineEpos, register } from '../../packages/sdk/src/index.ts';
import { api } from '../helpers/platform.ts';
import { until } from '../e2e/setup.ts';
import { clusterRun, sigkill } from './nodes.ts';

const SH = 'three-till';
const EVENTS = ['HandleEvent:payment_intent.created', 'HandleEvent:payment_intent.status_updated'];

test('three nodes: routing, cluster-wide registration, events across nodes, SIGKILL of the EPOS node', async (t) => {
  const c = await clusterRun(t);
  const [a, b, cc] = await Promise.all([c.start('A'), c.start('B'), c.start('C')]);
  const answered: string[] = [];
  const events: { id?: string; paymentIntentId: string }[] = [];
  const epos = defineEpos({
    GetOrderById: ({ orderId }) => { answered.push(orderId); return { id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } }; },
    'HandleEvent:payment_intent.created': (p) => { events.push({ id: (p as { id?: string }).id, paymentIntentId: (p as { data: { paymentIntentId: string } }).data.paymentIntentId }); return {}; },
    'HandleEvent:payment_intent.status_updated': () => ({}),
  });
  await register(epos, { platformUrl: b.url, apiKey: c.key, softwareHouseId: SH, transport: 'ws' });
  const ws = (u: string) => u.replace(/^http/, 'ws') + '/epos';
  const conn = connect(epos, { url: [ws(a.url), ws(b.url), ws(cc.url)], apiKey: c.key, softwareHouseId: SH, reconnect: { minMs: 50, maxMs: 300 } });
  const dialled: string[] = [];
  conn.on('reconnecting', (r: { url: string }) => dialled.push(r.url));
  conn.on('error', () => {});
  t.after(() => conn.close());
  await once(conn, 'connect');
  const get = (url: string, id: string) => api(url, 'GET', `/epos/data/v1/orders/${id}`, { key: c.key, softwareHouseId: SH });

  // Product calls on B and C are answered by the EPOS on A (its only socket).
  await until(async () => (await get(b.url, 'warm-b')).status === 200 && (await get(cc.url, 'warm-c')).status === 200, 'B and C to route to A', 8000);
  for (const [n, url] of [['b', b.url], ['c', cc.url]] as const) {
    const r = await get(url, `o-${n}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.id, `o-${n}`);
    assert.ok(answered.includes(`o-${n}`), 'the EPOS on A answered it');
  }

  await t.test('a registration PUT on B is enforced on C within 1 s', async () => {
    const put = (capabilities: string[]) => api(b.url, 'PUT', '/epos/integrations/ws', { key: c.key, softwareHouseId: SH, body: { capabilities: capabilities.map((name) => ({ name, version: 'v1' })) } });
    const dropped = await put(EVENTS);
    assert.equal(dropped.status, 200, dropped.text);
    const t0 = performance.now();
    let last = '';
    await until(async () => { const r = await get(cc.url, 'o-gone'); last = r.text; return r.body?.error === 'CAPABILITY_NOT_REGISTERED'; }, 'C to enforce B\'s PUT', 1000)
      .catch((e: Error) => { throw new Error(`${e.message}; C answered ${last}`); });
    const took = performance.now() - t0;
    assert.ok(took < 1000, `took ${took} ms`);
    t.diagnostic(`registration PUT on B enforced on C after ${took.toFixed(0)} ms`);
    assert.equal((await put(['GetOrderById', ...EVENTS])).status, 200);
    await until(async () => (await get(cc.url, 'o-back')).status === 200, 'C to route again', 1000);
  });

  await t.test('events raised on C reach the EPOS on A at least once and in order', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `pi_${c.run}_${i}`);
    for (const id of ids) {
      const r = await api(cc.url, 'POST', '/epos/data/v1/events', { key: c.key, softwareHouseId: SH, body: { event: 'payment_intent.created', data: { paymentIntentId: id, paymentStatus: 'Created', captureMode: 'Auto' } } });
      assert.equal(r.status, 202, r.text);
    }
    const firstSeen = () => [...new Set(events.map((e) => e.paymentIntentId))];
    await until(() => firstSeen().length === ids.length, `the ${ids.length} events to reach the EPOS (got ${events.length})`, 10_000);
    assert.deepEqual(firstSeen(), ids, 'in the order raised');
  });

  await t.test('SIGKILL of A mid-traffic: typed errors only for the calls that were on A, then the EPOS serves through B', async () => {
    interface Call { node: string; start: number; end: number; status: number; error?: string }
    const calls: Call[] = [];
    let running = true;
    let n = 0;
    const worker = async (node: string, url: string) => {
      while (running) {
        const start = performance.now();
        const r = await get(url, `k-${n++}`).catch((e: Error) => ({ status: 0, body: { error: e.message } }));
        calls.push({ node, start, end: performance.now(), status: r.status, ...(r.status === 200 ? {} : { error: String(r.body?.error) }) });
      }
    };
    const workers = [worker('B', b.url), worker('C', cc.url), worker('B', b.url), worker('C', cc.url)];
    await new Promise((r) => setTimeout(r, 500));
    await sigkill(a);
    // A call that started before the exit was seen may have been forwarded to A while it lived.
    const killAt = performance.now();
    await until(() => conn.connected && dialled.at(-1) === ws(b.url), 'the EPOS to reconnect through B', 5000);
    const back = performance.now();
    // The calls that were on A hold their workers until A's presence expires (3 s).
    await until(() => calls.filter((x) => x.start > back && x.node === 'C').length >= 10, 'calls after the reconnect', 8000);
    running = false;
    await Promise.all(workers);

    const failed = calls.filter((x) => x.status !== 200);
    t.diagnostic(`${calls.length} calls, ${failed.length} failed (${[...new Set(failed.map((f) => `${f.status} ${f.error}`))].join(', ') || 'none'}); EPOS back through B ${(back - killAt).toFixed(0)} ms after the kill`);
    for (const f of failed) {
      assert.ok(f.status === 502 || f.status === 503, `a typed 502/503, not ${f.status} ${f.error}`);
      assert.ok(['EPOS_UNREACHABLE', 'EPOS_NOT_CONNECTED'].includes(f.error!), `a typed code, not ${f.error}`);
      assert.ok(f.start < killAt, `only calls already on A when it died fail (this one started ${(f.start - killAt).toFixed(0)} ms after)`);
      assert.ok(f.end - f.start < 5000, `no hang: failed after ${(f.end - f.start).toFixed(0)} ms`);
    }
    const after = calls.filter((x) => x.start > back);
    assert.ok(after.length > 0 && after.every((x) => x.status === 200), 'every call after the reconnect is answered');
    assert.ok(after.some((x) => x.node === 'C'), 'C routes to the EPOS now on B');
  });
});
