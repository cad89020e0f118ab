// The call log end to end: calls through /epos/data to a WebSocket EPOS on real sockets are
// recorded (fields, redaction, truncation), listed with filters and a cursor, kept per tenant,
// pruned by retention; a queue that is full or a store that fails never fails a call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import { rawWsEpos, type RpcFrame } from '../helpers/rawEpos.ts';

const REQUESTOR = { 'waiter-id': 'w-9', 'dojo-requesting-product': 'PayAtTable', 'device-id': 'tm_1' };
const ORDER_PATH = (id: string) => `/epos/data/v1/orders/${encodeURIComponent(id)}`;

async function setup(t: { after(fn: () => Promise<void>): void }, opts: Parameters<typeof testPlatform>[0] = {}) {
  const p = await testPlatform({
    callTimeoutMs: 2000, connectGraceMs: 100, validateResults: false, ...opts,
    limits: { callLogFlushMs: 10, ...opts.limits },
  });
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'sandbox');
  const res = await api(p.url, 'PUT', '/epos/integrations/ws', {
    key, body: { capabilities: ['GetOrderById', 'SearchOrders', 'RecordOrderPaymentById'].map((name) => ({ name, version: 'v1' })) },
  });
  assert.equal(res.status, 200, res.text);
  return { p, key };
}

/** An EPOS that answers each order id as told: `err-*` with an EPOSError, `big-*` with a long note, else an order with secrets in it. */
function answer(f: RpcFrame) {
  const id = String(f.params.orderId ?? 'search');
  if (id.startsWith('err-')) return { error: { errorType: 'NotFound', debugMessage: `no order ${id}` } };
  if (id.startsWith('big-')) return { result: { id, note: 'x'.repeat(5000) } };
  if (id.startsWith('plain-')) return { result: { id, status: 'Open', note: 'é "quoted" \u2028 \\', lines: [{ n: 1.5 }, null, true] } };
  return { result: { id, status: 'Open', password: 'hunter2', card: { number: '4111111111111111', cvv: '123' }, token: 'tok_live' } };
}

async function logs(p: TestPlatform, key: string, query = '') {
  await p.callLog!.flush();
  return api<any>(p.url, 'GET', `/epos/logs${query}`, { key });
}

test('ok and error calls are recorded with tenant fields, requestor, latency and bodies; secrets redacted', async (t) => {
  const { p, key } = await setup(t);
  const epos = await rawWsEpos(p.url, key, answer);
  t.after(() => epos.close());
  assert.equal((await api(p.url, 'GET', ORDER_PATH('ord-1'), { key, headers: REQUESTOR })).status, 200);
  assert.equal((await api(p.url, 'GET', ORDER_PATH('err-1'), { key })).status, 404);
  // A param with a secret-like name: refused by the contract before any EPOS is picked, still recorded.
  const pay = await api(p.url, 'POST', `${ORDER_PATH('ord-2')}/record-payment`, {
    key, body: { paymentIntentId: 'pi_1', paidAmount: { value: 100, currencyCode: 'GBP' }, password: 'pw-secret', cardNumber: '4111111111111111' },
  });

  const res = await logs(p, key);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.logs.length, 3);
  assert.equal(res.body.nextCursor, undefined, 'no more rows');
  const [payLog, errLog, okLog] = res.body.logs;
  assert.deepEqual(Object.keys(okLog).sort(), ['at', 'capability', 'id', 'latencyMs', 'node', 'requestor', 'source', 'status', 'transport']);
  assert.equal(okLog.capability, 'GetOrderById');
  assert.equal(okLog.transport, 'ws');
  assert.equal(okLog.source, 'data-api');
  assert.equal(okLog.status, 'ok');
  assert.equal(okLog.node, p.bus.nodeId);
  assert.deepEqual(okLog.requestor, { softwareHouseId: 'test-software-house', waiterId: 'w-9', dojoRequestingProduct: 'PayAtTable', deviceId: 'tm_1' });
  assert.ok(okLog.latencyMs >= 0 && okLog.latencyMs < 2000, String(okLog.latencyMs));
  assert.ok(Math.abs(Date.parse(okLog.at) - Date.now()) < 60_000, okLog.at);
  assert.equal(errLog.status, 'error');
  assert.equal(errLog.errorCode, 'EPOS_ERROR');
  assert.equal(errLog.transport, 'ws');
  assert.equal(payLog.capability, 'RecordOrderPaymentById');

  const ok = (await api<any>(p.url, 'GET', `/epos/logs/${okLog.id}`, { key })).body;
  assert.deepEqual(ok.request, { params: { orderId: 'ord-1' } });
  assert.deepEqual(ok.response, { result: { id: 'ord-1', status: 'Open', password: '[redacted]', card: '[redacted]', token: '[redacted]' } });
  assert.equal(ok.truncated, false);
  assert.doesNotMatch(JSON.stringify(ok), /hunter2|4111111111111111|tok_live/);

  const err = (await api<any>(p.url, 'GET', `/epos/logs/${errLog.id}`, { key })).body;
  assert.equal(err.response.error.code, 'EPOS_ERROR');
  assert.deepEqual(err.response.error.eposError, { errorType: 'NotFound', debugMessage: 'no order err-1' });
  assert.match(err.response.error.message, /NotFound/);

  const payDetail = (await api<any>(p.url, 'GET', `/epos/logs/${payLog.id}`, { key })).body;
  assert.equal(payDetail.request.params.password, '[redacted]');
  assert.equal(payDetail.request.params.cardNumber, '[redacted]');
  assert.equal(payDetail.request.params.paymentIntentId, 'pi_1');
  assert.doesNotMatch(JSON.stringify(payDetail), /pw-secret|4111111111111111/);
  if (pay.status !== 200) {
    assert.equal(payDetail.errorCode, (pay.body as any).error);
    assert.equal(payDetail.transport, null, 'refused before an EPOS was picked');
  }
  assert.equal((await api(p.url, 'GET', '/epos/logs/call_nope', { key })).status, 404);
});

test('a clean result is logged as the very JSON the product API answered with', async (t) => {
  const { p, key } = await setup(t);
  const epos = await rawWsEpos(p.url, key, answer);
  t.after(() => epos.close());
  const res = await fetch(p.url + ORDER_PATH('plain-1'), { headers: { authorization: `Basic ${key}`, 'software-house-id': 'sh' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  const text = await res.text();
  assert.deepEqual(JSON.parse(text), { id: 'plain-1', status: 'Open', note: 'é "quoted" \u2028 \\', lines: [{ n: 1.5 }, null, true] });
  const [row] = (await logs(p, key)).body.logs;
  const stored = await p.store.calls.get({ accountId: 'acc-1', env: 'sandbox' }, row.id);
  assert.equal(stored?.response, text, 'the same text, not a second serialisation that could differ');
});

test('a body longer than limits.callLogBodyChars is cut and marked truncated', async (t) => {
  const { p, key } = await setup(t, { limits: { callLogBodyChars: 1000 } });
  const epos = await rawWsEpos(p.url, key, answer);
  t.after(() => epos.close());
  assert.equal((await api(p.url, 'GET', ORDER_PATH('big-1'), { key })).status, 200);
  const [row] = (await logs(p, key)).body.logs;
  const d = (await api<any>(p.url, 'GET', `/epos/logs/${row.id}`, { key })).body;
  assert.equal(d.truncated, true);
  assert.equal(typeof d.response.result, 'string', 'an excerpt');
  assert.ok(d.response.result.length <= 1001, String(d.response.result.length));
  assert.ok(d.response.result.startsWith('{"id":"big-1","note":"xxx'));
  assert.deepEqual(d.request, { params: { orderId: 'big-1' } }, 'the short body stays whole');
});

test('filters, validation and a cursor that stays stable while calls are added; another tenant sees none of it', async (t) => {
  const { p, key } = await setup(t);
  const epos = await rawWsEpos(p.url, key, answer);
  t.after(() => epos.close());
  for (let i = 0; i < 5; i++) await api(p.url, 'GET', ORDER_PATH(`ord-${i}`), { key });
  for (let i = 0; i < 2; i++) await api(p.url, 'GET', ORDER_PATH(`err-${i}`), { key });
  assert.equal((await api(p.url, 'POST', '/epos/data/v1/orders/search', { key, body: { payableOnly: true } })).status, 200);

  // Pages of 3 while more calls are made between pages: every row seen once, none skipped.
  const first = await logs(p, key, '?limit=3');
  const seen: string[] = first.body.logs.map((l: any) => l.id);
  let cursor: string | undefined = first.body.nextCursor;
  assert.ok(cursor);
  while (cursor) {
    await api(p.url, 'GET', ORDER_PATH('ord-late'), { key }); // newer than every page: must not show up in later pages
    const page = await logs(p, key, `?limit=3&cursor=${cursor}`);
    assert.equal(page.status, 200, page.text);
    seen.push(...page.body.logs.map((l: any) => l.id));
    cursor = page.body.nextCursor;
  }
  assert.equal(seen.length, 8);
  assert.equal(new Set(seen).size, 8);

  const all = (await logs(p, key, '?limit=200')).body.logs as any[];
  assert.ok(all.length > 8);
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].at >= all[i].at, 'newest first');

  const errors = (await logs(p, key, '?status=error')).body.logs;
  assert.equal(errors.length, 2);
  assert.ok(errors.every((l: any) => l.errorCode === 'EPOS_ERROR'));
  assert.equal((await logs(p, key, '?status=EPOS_ERROR')).body.logs.length, 2);
  assert.equal((await logs(p, key, '?status=EPOS_TIMEOUT')).body.logs.length, 0);
  assert.ok((await logs(p, key, '?status=ok')).body.logs.every((l: any) => l.status === 'ok'));
  const search = (await logs(p, key, '?capability=SearchOrders')).body.logs;
  assert.deepEqual(search.map((l: any) => l.capability), ['SearchOrders']);
  const oldest = all.at(-1).at;
  assert.equal((await logs(p, key, `?to=${encodeURIComponent(oldest)}`)).body.logs.at(-1).id, all.at(-1).id);
  assert.equal((await logs(p, key, `?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.logs.length, 0);

  for (const [q, path, what] of [
    ['?status=NOPE', '$.query.status', /error code/],
    ['?capability=GetOrderByID', '$.query.capability', /not a capability/],
    ['?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', '$.query.from', /after/],
    ['?from=yesterday', '$.query.from', /ISO date-time/],
    ['?limit=201', '$.query.limit', /1 to 200/],
    ['?limit=0', '$.query.limit', /1 to 200/],
    ['?cursor=bm9wZQ', '$.query.cursor', /nextCursor/],
  ] as const) {
    const r = await api<any>(p.url, 'GET', `/epos/logs${q}`, { key });
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.equal(r.body.error, 'VALIDATION_FAILED');
    assert.equal(r.body.details[0].path, path, q);
    assert.match(r.body.message, what, q);
  }

  // Tenant isolation: another account's key, and the same account's production key.
  const other = (await p.keys.create('acc-2', 'sandbox')).key;
  const prod = (await p.keys.create('acc-1', 'production')).key;
  for (const k of [other, prod]) {
    assert.deepEqual((await logs(p, k, '?limit=200')).body.logs, []);
    assert.equal((await api(p.url, 'GET', `/epos/logs/${all[0].id}`, { key: k })).status, 404);
    const st = await api<any>(p.url, 'GET', '/epos/logs/stats', { key: k });
    assert.deepEqual(st.body.series, []);
  }
});

test('stats: calls, errors and percentiles per capability and bucket, every bucket of the range listed; the bucket count is capped', async (t) => {
  const { p, key } = await setup(t, { limits: { callStatsBuckets: 100 } });
  const epos = await rawWsEpos(p.url, key, answer);
  t.after(() => epos.close());
  for (let i = 0; i < 4; i++) await api(p.url, 'GET', ORDER_PATH(`ord-${i}`), { key });
  await api(p.url, 'GET', ORDER_PATH('err-1'), { key });
  await p.callLog!.flush();
  const to = new Date(Date.now() + 1000).toISOString();
  const from = new Date(Date.now() - 10 * 60_000).toISOString();
  const r = await api<any>(p.url, 'GET', `/epos/logs/stats?from=${from}&to=${to}&bucketSeconds=60`, { key });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.bucketSeconds, 60);
  assert.equal(r.body.sampled, false);
  assert.equal(r.body.series.length, 1);
  const s = r.body.series[0];
  assert.equal(s.capability, 'GetOrderById');
  assert.ok(s.points.length >= 10 && s.points.length <= 12, String(s.points.length));
  assert.equal(s.points.reduce((n: number, pt: any) => n + pt.calls, 0), 5);
  assert.equal(s.points.reduce((n: number, pt: any) => n + pt.errors, 0), 1);
  const busy = s.points.filter((pt: any) => pt.calls > 0);
  assert.ok(busy.every((pt: any) => typeof pt.p50Ms === 'number' && pt.p99Ms >= pt.p50Ms));
  assert.ok(s.points.filter((pt: any) => pt.calls === 0).every((pt: any) => pt.p50Ms === null));
  for (let i = 1; i < s.points.length; i++) assert.ok(s.points[i].at > s.points[i - 1].at, 'oldest first');

  const tooMany = await api<any>(p.url, 'GET', `/epos/logs/stats?from=${from}&to=${to}&bucketSeconds=1`, { key });
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.body.details[0].path, '$.query.bucketSeconds');
  assert.match(tooMany.body.message, /callStatsBuckets/);
  const filtered = await api<any>(p.url, 'GET', '/epos/logs/stats?capability=SearchOrders', { key });
  assert.deepEqual(filtered.body.series, []);
});

test('retention prunes the call log by age and keeps each tenant’s newest limits.callLogPerTenant calls', async (t) => {
  const { p, key } = await setup(t, { limits: { callLogPerTenant: 3 } });
  const epos = await rawWsEpos(p.url, key, answer);
  t.after(() => epos.close());
  for (let i = 0; i < 5; i++) await api(p.url, 'GET', ORDER_PATH(`ord-${i}`), { key });
  await p.callLog!.flush();
  // A call of another tenant from eight days ago: past the default 7 days.
  await p.store.calls.insertMany([{
    id: 'call_old', tenant: { accountId: 'acc-2', env: 'sandbox' }, atMs: Date.now() - 8 * 24 * 3600_000, capability: 'GetOrderById',
    transport: 'ws', node: 'n', source: 'data-api', status: 'ok', latencyMs: 1, requestor: {}, request: '{}', response: '{}', truncated: false,
  }]);
  const report = await p.retention.run();
  assert.equal(report.callsByAge, 1);
  assert.equal(report.callsByCount, 2);
  const left = (await logs(p, key)).body.logs;
  assert.equal(left.length, 3);
  const ids = await Promise.all(left.map(async (l: any) => (await api<any>(p.url, 'GET', `/epos/logs/${l.id}`, { key })).body.request.params.orderId));
  assert.deepEqual(ids, ['ord-4', 'ord-3', 'ord-2'], 'the newest are kept');
});

test('a full queue drops (and counts) calls; a store that fails in the flusher never fails a call', async (t) => {
  const { p, key } = await setup(t, { limits: { callLogQueue: 2, callLogFlushMs: 60_000 } });
  const epos = await rawWsEpos(p.url, key, answer);
  t.after(() => epos.close());
  for (let i = 0; i < 5; i++) assert.equal((await api(p.url, 'GET', ORDER_PATH(`ord-${i}`), { key })).status, 200);
  assert.equal(p.callLog!.dropped, 3, 'two queued, three dropped');
  await p.callLog!.flush();
  assert.equal(p.callLog!.written, 2);
  const metrics = await api(p.url, 'GET', '/metrics');
  assert.match(metrics.text, /eposgate_call_log_dropped_total 3/);

  // The store cannot write the call log any more: calls still answer, the lost ones are counted.
  p.store.callsDb.exec('DROP TABLE call_batches');
  for (let i = 0; i < 2; i++) assert.equal((await api(p.url, 'GET', ORDER_PATH(`ord-x${i}`), { key })).status, 200);
  await p.callLog!.flush();
  assert.equal(p.callLog!.dropped, 5);
  assert.equal((await api(p.url, 'GET', ORDER_PATH('ord-after'), { key })).status, 200, 'and the platform goes on');
});

test('calls of the tester and of the events worker are recorded with their source', async (t) => {
  const { p, key } = await setup(t);
  const reg = await api(p.url, 'PUT', '/epos/integrations/ws', {
    key, body: { capabilities: ['GetOrderById', 'HandleEvent:payment_intent.created'].map((name) => ({ name, version: 'v1' })) },
  });
  assert.equal(reg.status, 200, reg.text);
  const epos = await rawWsEpos(p.url, key, (f) => (f.method === 'GetOrderByIdV1' ? answer(f) : { result: null }));
  t.after(() => epos.close());

  const raised = await api(p.url, 'POST', '/epos/data/v1/events', {
    key, body: { event: 'payment_intent.created', data: { paymentIntentId: 'pi_log', paymentStatus: 'Created', captureMode: 'Auto' } },
  });
  assert.equal(raised.status, 202, raised.text);
  const flow = await api<string>(p.url, 'POST', '/epos-tester-tool/flows', { key, body: { flow: 'Get Order', params: { orderId: 'ord-t' } } });
  assert.equal(flow.status, 200, flow.text);

  const deadline = Date.now() + 20_000;
  let rows: any[] = [];
  while (Date.now() < deadline) {
    rows = (await logs(p, key, '?limit=200')).body.logs;
    if (rows.some((r) => r.source === 'events') && rows.some((r) => r.source === 'tester')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ev = rows.find((r) => r.source === 'events');
  assert.ok(ev, JSON.stringify(rows));
  assert.equal(ev.capability, 'HandleEvent:payment_intent.created');
  const evDetail = (await api<any>(p.url, 'GET', `/epos/logs/${ev.id}`, { key })).body;
  assert.equal(evDetail.request.params.data.paymentIntentId, 'pi_log');
  const tester = rows.find((r) => r.source === 'tester' && r.capability === 'GetOrderById');
  assert.ok(tester, JSON.stringify(rows));
  assert.equal(tester.requestor.dojoRequestingProduct, 'EPOS Tester');
  assert.ok(rows.every((r) => r.source !== 'data-api'), 'nothing here came through /epos/data');
});
