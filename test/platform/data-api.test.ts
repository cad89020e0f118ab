// The product-facing API end to end: /epos/data → invoke → WS or REST → an EPOS on real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPABILITIES, capability, type Capability } from '../../packages/contract/src/catalogue.ts';
import { pathParamNames } from '../../packages/contract/src/rest.ts';
import { validateParams, validateResult } from '../../packages/contract/src/validate.ts';
import { proxiedCapabilities } from '../../packages/eposgate/src/platform/proxy/proxied.ts';
import { FIXTURES } from '../fixtures/contract.ts';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import { rawRestEpos, rawWsEpos, type RpcFrame } from '../helpers/rawEpos.ts';

const REQUESTOR = { 'waiter-id': 'w-9', 'dojo-requesting-product': 'PayAtTable', 'device-id': 'tm_1', 'device-type': 'Dojo Terminal' };
const WIRE_HEADERS = { waiterId: 'w-9', dojoRequestingProduct: 'PayAtTable', deviceId: 'tm_1', deviceType: 'Dojo Terminal' };
const STABLE = CAPABILITIES.filter((c) => c.status === 'stable');
const byWsMethod = new Map<string, Capability>(STABLE.filter((c) => c.domain !== 'Events').map((c) => [c.wsMethod, c]));

function fixture(c: Capability) {
  return FIXTURES[c.name as keyof typeof FIXTURES];
}

/** The product-facing request for a capability's fixture params. */
function productRequest(c: Capability): { method: string; path: string; body?: Record<string, unknown> } {
  const params = { ...fixture(c).params };
  const names = pathParamNames(c.rest!.path);
  const path = '/epos/data' + c.rest!.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(String(params[n])));
  for (const n of names) delete params[n];
  return c.rest!.method === 'POST' || c.rest!.method === 'PUT' ? { method: c.rest!.method, path, body: params } : { method: c.rest!.method, path };
}

async function register(p: TestPlatform, key: string, transport: 'ws' | 'rest', names: string[], extra: Record<string, unknown> = {}) {
  const res = await api(p.url, 'PUT', `/epos/integrations/${transport}`, { key, body: { capabilities: names.map((name) => ({ name, version: 'v1' })), ...extra } });
  assert.equal(res.status, 200, res.text);
}

async function setup(t: { after(fn: () => Promise<void>): void }, opts: Parameters<typeof testPlatform>[0] = {}) {
  const p = await testPlatform({ callTimeoutMs: 2000, connectGraceMs: 100, ...opts });
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'sandbox');
  return { p, key };
}

test('the fixtures are valid by the contract', () => {
  for (const c of STABLE) {
    assert.deepEqual(validateParams(c, fixture(c).params), null, `${c.name} params`);
    assert.deepEqual(validateResult(c, fixture(c).result), null, `${c.name} result`);
  }
});

test('every capability through /epos/data reaches a WebSocket EPOS as the AsyncAPI frame, requestor headers included', async (t) => {
  const { p, key } = await setup(t);
  await register(p, key, 'ws', STABLE.map((c) => c.name));
  const epos = await rawWsEpos(p.url, key, (f) => ({ result: fixture(byWsMethod.get(f.method)!).result }));
  t.after(() => epos.close());

  for (const c of proxiedCapabilities()) {
    const req = productRequest(c);
    const before = epos.frames.length;
    const res = await api(p.url, req.method, req.path, { key, body: req.body, headers: REQUESTOR });
    assert.equal(res.status, 200, `${c.name}: ${res.text}`);
    assert.deepEqual(res.body, fixture(c).result, `${c.name} result passed back unchanged`);
    assert.equal(epos.frames.length, before + 1, `${c.name}: one frame`);
    const frame = epos.frames.at(-1)!;
    assert.equal(frame.jsonrpc, '2.0');
    assert.equal(typeof frame.id, 'string');
    assert.equal(frame.method, c.wsMethod);
    const { headers, ...params } = frame.params;
    assert.deepEqual(params, fixture(c).params, `${c.name} params`);
    assert.deepEqual(headers, WIRE_HEADERS, `${c.name} headers`);
  }
  const ids = new Set(epos.frames.map((f) => f.id));
  assert.equal(ids.size, epos.frames.length, 'every call has its own id');
});

test('every capability through /epos/data reaches a REST EPOS with the OpenAPI method, path, body, basic auth and requestor headers', async (t) => {
  const { p, key } = await setup(t);
  const epos = await rawRestEpos((call) => {
    const c = proxiedCapabilities().find((x) => {
      const req = productRequest(x);
      return x.rest!.method === call.method && '/dojo' + req.path.replace('/epos/data', '') === call.url;
    });
    return c ? [200, fixture(c).result] : [404, { errorType: 'NotFound', debugMessage: `no route ${call.method} ${call.url}` }];
  });
  t.after(() => epos.close());
  await register(p, key, 'rest', STABLE.map((c) => c.name), { url: `${epos.url}/dojo`, auth: { authType: 'basic', basic: { username: 'dojo', password: 'pa:ss' } } });

  for (const c of proxiedCapabilities()) {
    const req = productRequest(c);
    const res = await api(p.url, req.method, req.path, { key, body: req.body, headers: REQUESTOR });
    assert.equal(res.status, 200, `${c.name}: ${res.text}`);
    assert.deepEqual(res.body, fixture(c).result, `${c.name} result`);
    const call = epos.calls.at(-1)!;
    assert.equal(call.method, c.rest!.method, c.name);
    assert.equal(call.url, '/dojo' + req.path.replace('/epos/data', ''), c.name);
    assert.equal(call.headers.authorization, 'Basic ' + Buffer.from('dojo:pa:ss').toString('base64'), c.name);
    for (const [h, v] of Object.entries(REQUESTOR)) assert.equal(call.headers[h], v, `${c.name} ${h}`);
    if (req.body) assert.deepEqual(JSON.parse(call.body), req.body, `${c.name} body`);
    else assert.equal(call.body, '', `${c.name}: no body`);
  }
});

test('an unregistered capability is refused while the EPOS is connected, and nothing reaches the EPOS', async (t) => {
  const { p, key } = await setup(t);
  await register(p, key, 'ws', ['ListAreas']);
  const epos = await rawWsEpos(p.url, key, () => ({ result: {} }));
  t.after(() => epos.close());
  const res = await api(p.url, 'GET', '/epos/data/v1/orders/ord-1', { key });
  assert.equal(res.status, 501);
  assert.equal(res.body.error, 'CAPABILITY_NOT_REGISTERED');
  assert.match(res.body.message, /GetOrderById is not registered/);
  assert.equal(epos.frames.length, 0);
});

test('EPOS errors come back with their EPOSError body and the mapped status', async (t) => {
  const { p, key } = await setup(t);
  await register(p, key, 'ws', ['GetOrderById']);
  const types: Record<string, number> = { NotFound: 404, InvalidRequest: 400, Conflict: 409, UnexpectedError: 502 };
  const epos = await rawWsEpos(p.url, key, (f) => ({ error: { errorType: f.params.orderId, debugMessage: `says ${f.params.orderId}`, traceId: 'epos-trace' } }));
  t.after(() => epos.close());
  for (const [type, status] of Object.entries(types)) {
    const res = await api(p.url, 'GET', `/epos/data/v1/orders/${type}`, { key });
    assert.equal(res.status, status, type);
    assert.deepEqual(res.body, { errorType: type, debugMessage: `says ${type}`, traceId: 'epos-trace' });
  }
});

test('a result that breaks the contract is a 502 naming the JSON path, expected and actual', async (t) => {
  const { p, key } = await setup(t);
  await register(p, key, 'ws', ['GetOrderById']);
  const bad = structuredClone(FIXTURES.GetOrderById.result) as any;
  bad.items[0].quantity = 'two';
  const epos = await rawWsEpos(p.url, key, () => ({ result: bad }));
  t.after(() => epos.close());
  const res = await api(p.url, 'GET', '/epos/data/v1/orders/ord-1', { key });
  assert.equal(res.status, 502);
  assert.equal(res.body.error, 'CONTRACT_VIOLATION');
  const issue = res.body.details.find((d: any) => d.path === '$.items[0].quantity');
  assert.ok(issue, res.text);
  assert.equal(issue.actual, 'two');
  assert.match(issue.expected, /integer/);
  assert.match(res.body.message, /\$\.items\[0\]\.quantity/);
});

test('invalid params from a product are refused before anything is sent', async (t) => {
  const { p, key } = await setup(t);
  await register(p, key, 'ws', ['RecordOrderPaymentById', 'SearchOrders']);
  const epos = await rawWsEpos(p.url, key, () => ({ result: FIXTURES.RecordOrderPaymentById.result }));
  t.after(() => epos.close());
  const res = await api(p.url, 'POST', '/epos/data/v1/orders/ord-1/record-payment', { key, body: { paymentIntentId: 'pi', paidAmount: { value: '10', currencyCode: 'GBP' } } });
  assert.equal(res.status, 400);
  assert.equal(res.body.error, 'VALIDATION_FAILED');
  assert.ok(res.body.details.some((d: any) => d.path === '$.paidAmount.value'), res.text);
  const notObject = await api(p.url, 'POST', '/epos/data/v1/orders/search', { key, body: [1, 2] });
  assert.equal(notObject.status, 400);
  assert.equal(epos.frames.length, 0);
});

test('preview capabilities are not invoked; an EPOS that never answers times out; no EPOS connected is a 503', async (t) => {
  const { p, key } = await setup(t, { callTimeoutMs: 300 });
  await register(p, key, 'ws', ['GetOrderById', 'ListAreas']);
  const noSocket = await api(p.url, 'GET', '/epos/data/v1/areas', { key });
  assert.equal(noSocket.status, 503);
  assert.equal(noSocket.body.error, 'EPOS_NOT_CONNECTED');

  const epos = await rawWsEpos(p.url, key, () => ({ silent: true }));
  t.after(() => epos.close());
  const started = Date.now();
  const silent = await api(p.url, 'GET', '/epos/data/v1/orders/ord-1', { key });
  assert.equal(silent.status, 504);
  assert.equal(silent.body.error, 'EPOS_TIMEOUT');
  assert.ok(Date.now() - started < 2000);

  await assert.rejects(p.dispatcher.invoke({ accountId: 'acc-1', env: 'sandbox' }, 'SearchMenus', {}), (e: any) => e.code === 'CAPABILITY_PREVIEW');
});

test('with both transports registered, WS serves while a socket is open and REST otherwise', async (t) => {
  const { p, key } = await setup(t);
  const rest = await rawRestEpos(() => [200, [{ id: 'a-rest', name: 'From REST' }]]);
  t.after(() => rest.close());
  await register(p, key, 'rest', ['ListAreas'], { url: rest.url, auth: { authType: 'basic', basic: { username: 'u', password: 'p' } } });
  await register(p, key, 'ws', ['ListAreas']);
  assert.equal((await api(p.url, 'GET', '/epos/data/v1/areas', { key })).body[0].id, 'a-rest');
  const ws = await rawWsEpos(p.url, key, () => ({ result: [{ id: 'a-ws', name: 'From WS' }] }));
  assert.equal((await api(p.url, 'GET', '/epos/data/v1/areas', { key })).body[0].id, 'a-ws');
  await ws.close();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await api(p.url, 'GET', '/epos/data/v1/areas', { key })).body[0].id, 'a-rest');
});

test('1,000 concurrent calls on one socket each get their own result', async (t) => {
  // What is checked is that answers match their calls, not how fast: a loaded CI machine took over
  // the suite's usual 2 s timeout for the last of the 1,000.
  const { p, key } = await setup(t, { callTimeoutMs: 30_000 });
  await register(p, key, 'ws', ['GetOrderById']);
  const epos = await rawWsEpos(p.url, key, async (f) => {
    await new Promise((r) => setTimeout(r, Math.random() * 20));
    return { result: { ...(FIXTURES.GetOrderById.result as object), id: f.params.orderId } };
  });
  t.after(() => epos.close());
  const tenant = { accountId: 'acc-1', env: 'sandbox' as const };
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => p.dispatcher.invoke(tenant, 'GetOrderById', { orderId: `o-${i}` })));
  results.forEach((r, i) => assert.equal((r as { id: string }).id, `o-${i}`));
});

test("one account never reaches another account's EPOS", async (t) => {
  const { p, key: a } = await setup(t);
  const { key: b } = await p.keys.create('acc-2', 'sandbox');
  await register(p, a, 'ws', ['ListAreas']);
  await register(p, b, 'ws', ['ListAreas']);
  const eposA = await rawWsEpos(p.url, a, () => ({ result: [{ id: 'a', name: 'A' }] }));
  const eposB = await rawWsEpos(p.url, b, () => ({ result: [{ id: 'b', name: 'B' }] }));
  t.after(() => eposA.close());
  t.after(() => eposB.close());
  for (let i = 0; i < 5; i++) {
    assert.equal((await api(p.url, 'GET', '/epos/data/v1/areas', { key: a })).body[0].id, 'a');
    assert.equal((await api(p.url, 'GET', '/epos/data/v1/areas', { key: b })).body[0].id, 'b');
  }
  assert.equal(eposA.frames.length, 5);
  assert.equal(eposB.frames.length, 5);
  // acc-2 registered nothing on REST and has no socket in production: its production key reaches nothing.
  const { key: bProd } = await p.keys.create('acc-2', 'production');
  assert.equal((await api(p.url, 'GET', '/epos/data/v1/areas', { key: bProd })).body.error, 'CAPABILITY_NOT_REGISTERED');
});

test('an EPOS that disconnects mid-call or sends garbage fails only that call; the platform keeps serving', async (t) => {
  const { p, key } = await setup(t);
  await register(p, key, 'ws', ['GetOrderById', 'ListAreas']);
  const epos = await rawWsEpos(p.url, key, (f: RpcFrame) => {
    if (f.params.orderId === 'garbage') return { raw: '{"jsonrpc":"2.0", this is not json' };
    if (f.params.orderId === 'drop') { epos.ws.terminate(); return { silent: true }; }
    return { result: [{ id: 'a', name: 'A' }] };
  });
  const garbage = api(p.url, 'GET', '/epos/data/v1/orders/garbage', { key });
  const areas = await api(p.url, 'GET', '/epos/data/v1/areas', { key });
  assert.equal(areas.status, 200);
  const dropped = await api(p.url, 'GET', '/epos/data/v1/orders/drop', { key });
  assert.equal(dropped.status, 502);
  assert.equal(dropped.body.error, 'EPOS_UNREACHABLE');
  assert.match(dropped.body.message, /disconnected/);
  const g = await garbage;
  assert.ok([502, 504].includes(g.status), `garbage answer fails the call: ${g.text}`);
  const health = await api(p.url, 'GET', '/healthz');
  assert.equal(health.status, 200);
});

test('metrics count calls per capability and the OpenAPI document lists every mirrored route', async (t) => {
  const { p, key } = await setup(t);
  await register(p, key, 'ws', ['ListAreas']);
  const epos = await rawWsEpos(p.url, key, () => ({ result: [] }));
  t.after(() => epos.close());
  for (let i = 0; i < 3; i++) await api(p.url, 'GET', '/epos/data/v1/areas', { key });
  const metrics = await fetch(p.url + '/metrics').then((r) => r.text());
  assert.match(metrics, /eposgate_calls_total\{capability="ListAreas",transport="ws"\} 3/);
  const doc = (await api(p.url, 'GET', '/epos/data/openapi.json')).body;
  // One path per route: `/v1/parties/{id}` (UpdateParty) is documented as `/v1/parties/{partyId}`.
  const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
  const byShape = new Map(Object.keys(doc.paths).map((path) => [shape(path), path]));
  assert.equal(byShape.size, Object.keys(doc.paths).length, 'no two paths differ only in placeholder names');
  for (const c of proxiedCapabilities()) {
    const path = byShape.get(shape('/epos/data' + c.rest!.path));
    const op = path === undefined ? undefined : doc.paths[path][c.rest!.method.toLowerCase()];
    assert.ok(op, `${c.name} at /epos/data${c.rest!.path}`);
    assert.equal(op.operationId, c.name);
  }
  assert.equal(doc.paths['/epos/data/v1/orders/{orderId}/record-payment'].post.operationId, capability('RecordOrderPaymentById').name);
});
