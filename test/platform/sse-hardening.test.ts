// GET /epos/events/stream under hostile clients: too many streams, a client that never reads,
// and a key revoked while its stream is open. Real platform, real sockets.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { UNLIMITED_RATES } from '../../packages/eposgate/src/platform/limits.ts';
import { api } from '../helpers/platform.ts';
import { platform, sse, until } from './events/helpers.ts';

const TENANT = { accountId: 'acc-a', env: 'sandbox' as const };

function post(url: string, key: string, orderId: string) {
  return api(url, 'POST', '/epos/events', { key, body: { eventType: 'OrderUpdated', event: { orderId } }, softwareHouseId: 'sh-epos' });
}

test('a tenant past limits.streamsPerTenant gets 429 TOO_MANY_STREAMS; other tenants and freed slots are served', async (t) => {
  const p = await platform(t, { limits: { streamsPerTenant: 2 } });
  const { key } = await p.keys.create('acc-a', 'sandbox');
  const { key: other } = await p.keys.create('acc-b', 'sandbox');
  const url = `${p.url}/epos/events/stream`;
  const a = await sse(url, key);
  const b = await sse(url, key);
  t.after(async () => { await a.close(); await b.close(); });
  assert.equal(a.res.status, 200);
  assert.equal(b.res.status, 200);

  const third = await api(p.url, 'GET', '/epos/events/stream', { key });
  assert.equal(third.status, 429);
  assert.equal(third.body.error, 'TOO_MANY_STREAMS');
  assert.match(third.body.message, /limits\.streamsPerTenant = 2/);

  const otherTenant = await sse(url, other);
  assert.equal(otherTenant.res.status, 200);
  await otherTenant.close();

  await a.close();
  await until(() => p.events.hub.count(TENANT) === 1, 2000, 'the closed stream to be dropped');
  const again = await sse(url, key);
  assert.equal(again.res.status, 200);
  await again.close();
});

test('an SSE client that never reads is cut off and the platform memory stays bounded', async (t) => {
  const p = await platform(t, {
    sseKeepAliveMs: 200,
    limits: { ...UNLIMITED_RATES, idChars: 16_384, streamBufferBytes: 256 * 1024 },
  });
  const { key } = await p.keys.create('acc-a', 'sandbox');
  const { hostname, port } = new URL(p.url);
  const sock = connect(Number(port), hostname);
  t.after(() => { sock.destroy(); });
  await new Promise((r) => sock.once('connect', r));
  sock.pause(); // never reads a byte
  sock.write(`GET /epos/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${key}\r\nsoftware-house-id: sh-product\r\n\r\n`);
  await until(() => p.events.hub.count(TENANT) === 1, 2000, 'the stream to open');

  const rss0 = process.memoryUsage().rss;
  // ~16 KB per event: 600 events are ~10 MB, more than the kernel buffers of a loopback socket hold.
  const big = (i: number) => `${i}-`.padEnd(16_000, 'x');
  for (let i = 0; i < 600; i += 20) {
    const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => post(p.url, key, big(i + j))));
    for (const r of batch) assert.equal(r.status, 200, r.text);
  }
  await until(() => p.events.hub.count(TENANT) === 0, 5000, 'the non-reading stream to be cut');
  const grown = process.memoryUsage().rss - rss0;
  assert.ok(grown < 150 * 1024 * 1024, `RSS grew ${Math.round(grown / 1e6)} MB`);

  // Meanwhile a reading client of the same tenant gets every event from the start.
  const reader = await sse(`${p.url}/epos/events/stream`, key);
  t.after(() => reader.close());
  // A wait, not a speed bound: ~10 MB through fetch's SSE parsing took over 5 s on a loaded machine.
  await until(() => reader.messages.length === 600, 20_000, 'a reading client to get all events');
});

test('a revoked key\'s stream ends within 1.5 s while another key\'s stream of the same tenant stays', async (t) => {
  const p = await platform(t);
  const a = await p.keys.create('acc-a', 'sandbox');
  const b = await p.keys.create('acc-a', 'sandbox');
  const url = `${p.url}/epos/events/stream`;
  const sa = await sse(url, a.key);
  const sb = await sse(url, b.key);
  t.after(async () => { await sa.close(); await sb.close(); });
  await until(() => p.events.hub.count(TENANT) === 2, 2000, 'both streams open');

  const t0 = performance.now();
  await p.keys.revoke(a.record.id);
  await until(() => sa.ended, 1500, 'the revoked key\'s stream to end');
  assert.ok(performance.now() - t0 < 1500);

  assert.equal(sb.ended, false);
  assert.equal((await post(p.url, b.key, 'ord_after')).status, 200);
  await until(() => sb.messages.some((m) => m.data.includes('ord_after')), 2000, 'the other stream to get the new event');
});

test('a POS event with megabyte ids or thousands of fields is refused 400 and nothing is stored', async (t) => {
  const p = await platform(t);
  const { key } = await p.keys.create('acc-a', 'sandbox');
  const huge = await post(p.url, key, 'x'.repeat(2_000_000));
  assert.equal(huge.status, 413, 'a megabyte id does not even fit the body limit');
  const long = await post(p.url, key, 'x'.repeat(300));
  assert.equal(long.status, 400);
  assert.equal(long.body.details[0].path, '$.event.orderId');
  const fields = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, 1]));
  const wide = await api(p.url, 'POST', '/epos/events', { key, body: { eventType: 'OrderUpdated', event: { orderId: 'o1', ...fields } } });
  assert.equal(wide.status, 400);
  assert.equal(wide.body.details[0].path, '$.event');
  assert.match(wide.body.message, /5001 fields is more than 16/);
  const listed = await api(p.url, 'GET', '/epos/events', { key });
  assert.deepEqual(listed.body.events, []);
});
