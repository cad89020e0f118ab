// GET /metrics through prom-client: the gauges move with what they count (an EPOS socket, a call
// in flight, a pending event, an SSE stream), the HTTP histogram labels routes by pattern (never the
// raw URL), and two platforms in one process keep their own registries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import { rawWsEpos } from '../helpers/rawEpos.ts';

const TOKEN = 'metrics-admin-1';

async function scrape(p: TestPlatform): Promise<string> {
  const res = await api(p.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text;
}

/** The value of one sample line, `name{labels}` exactly as exposed; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('gauges move: an open EPOS socket, a call in flight, a pending event, an open SSE stream', async (t) => {
  const p = await testPlatform({ adminToken: TOKEN, connectGraceMs: 50, callTimeoutMs: 10_000 });
  t.after(() => p.destroy());
  const { key: calls } = await p.keys.create('acc-calls', 'sandbox');
  const { key: events } = await p.keys.create('acc-events', 'sandbox');
  assert.equal((await api(p.url, 'PUT', '/epos/integrations/ws', { key: calls, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } })).status, 200);
  assert.equal((await api(p.url, 'PUT', '/epos/integrations/ws', { key: events, body: { capabilities: [{ name: 'HandleEvent:payment_intent.created', version: 'v1' }] } })).status, 200);

  let text = await scrape(p);
  assert.equal(sample(text, 'eposgate_epos_sockets_open'), 0);
  assert.equal(sample(text, 'eposgate_calls_in_flight'), 0);
  assert.equal(sample(text, 'eposgate_outbox_entries{status="pending"}'), 0);
  assert.equal(sample(text, 'eposgate_sse_streams_open'), 0);

  // A socket, and a call it holds unanswered.
  const epos = await rawWsEpos(p.url, calls, () => ({ silent: true }));
  const call = api(p.url, 'GET', '/epos/data/v1/orders/ord_123456', { key: calls });
  await until('the call to reach the EPOS', () => epos.frames.length === 1);
  text = await scrape(p);
  assert.equal(sample(text, 'eposgate_epos_sockets_open'), 1);
  assert.equal(sample(text, 'eposgate_calls_in_flight'), 1);
  assert.ok((sample(text, 'eposgate_ws_frames_total{direction="out"}') ?? 0) >= 1, 'the request frame was counted');

  // The EPOS goes away mid-call: the call fails, nothing is in flight, the error is counted.
  await epos.close();
  const failed = await call;
  assert.equal(failed.status, 502, failed.text);
  await until('the socket to be gone', async () => sample(await scrape(p), 'eposgate_epos_sockets_open') === 0);
  text = await scrape(p);
  assert.equal(sample(text, 'eposgate_calls_in_flight'), 0);
  assert.equal(sample(text, 'eposgate_calls_total{capability="GetOrderById",transport="ws"}'), 1);
  assert.equal(sample(text, 'eposgate_call_errors_total{capability="GetOrderById",transport="ws",code="EPOS_UNREACHABLE"}'), 1);
  assert.equal(sample(text, 'eposgate_call_duration_ms_count{capability="GetOrderById",transport="ws"}'), 1);
  // Routes by pattern and status class; the order id never becomes a label.
  assert.match(text, /eposgate_http_request_duration_ms_count\{method="GET",route="\/epos\/data\/v1\/orders\/:orderId",status_class="5xx"\} 1\n/);
  assert.doesNotMatch(text, /ord_123456/);

  // An event for a tenant whose EPOS is offline waits in the outbox.
  const raised = await api(p.url, 'POST', '/epos/data/v1/events', { key: events, body: { event: 'payment_intent.created', data: { paymentIntentId: 'pi_1', paymentStatus: 'Created', captureMode: 'Auto' } } });
  assert.equal(raised.status, 202, raised.text);
  text = await scrape(p);
  assert.equal(sample(text, 'eposgate_outbox_entries{status="pending"}'), 1);
  assert.equal(sample(text, 'eposgate_outbox_entries{status="failed"}'), 0);

  // An SSE stream, open until aborted.
  const abort = new AbortController();
  const stream = await fetch(`${p.url}/epos/events/stream`, { headers: { authorization: `Basic ${events}`, 'software-house-id': 'sh' }, signal: abort.signal });
  assert.equal(stream.status, 200);
  assert.equal(sample(await scrape(p), 'eposgate_sse_streams_open'), 1);
  abort.abort();
  await until('the stream to close', async () => sample(await scrape(p), 'eposgate_sse_streams_open') === 0);
});

test('two platforms in one process keep their own metrics', async (t) => {
  const a = await testPlatform({ adminToken: TOKEN });
  const b = await testPlatform({ adminToken: TOKEN });
  t.after(async () => { await a.destroy(); await b.destroy(); });
  a.metrics.record('ListAreas', 'ws', 3);
  a.metrics.record('ListAreas', 'ws', 7, 'EPOS_TIMEOUT');
  const textA = await scrape(a);
  assert.equal(sample(textA, 'eposgate_calls_total{capability="ListAreas",transport="ws"}'), 2);
  assert.equal(sample(textA, 'eposgate_call_errors_total{capability="ListAreas",transport="ws",code="EPOS_TIMEOUT"}'), 1);
  assert.equal(sample(textA, 'eposgate_call_duration_ms_bucket{capability="ListAreas",transport="ws",le="5"}'), 1);
  assert.equal(sample(textA, 'eposgate_call_duration_ms_bucket{capability="ListAreas",transport="ws",le="10"}'), 2);
  assert.equal(sample(textA, 'eposgate_call_duration_ms_sum{capability="ListAreas",transport="ws"}'), 10);
  assert.equal(sample(await scrape(b), 'eposgate_calls_total{capability="ListAreas",transport="ws"}'), undefined);
});

test('a store-backed gauge the store cannot answer is left out of the scrape; the rest still answers', async (t) => {
  const p = await testPlatform({ adminToken: TOKEN });
  t.after(() => p.destroy());
  p.store.db.close();
  const text = await scrape(p);
  assert.equal(sample(text, 'eposgate_outbox_entries{status="pending"}'), undefined);
  assert.equal(sample(text, 'eposgate_epos_sockets_open'), 0);
});
