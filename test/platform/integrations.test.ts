import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function setup(t: { after(fn: () => Promise<void>): void }, env: 'sandbox' | 'production' = 'sandbox'): Promise<{ p: TestPlatform; key: string }> {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', env);
  return { p, key };
}

// The guide's WebSocket registration, capability for capability.
const GUIDE_WS = [
  'ListAreas', 'SearchTables', 'SearchOrders', 'GetOrderById', 'GetOrderBillById', 'CreateOrderLock',
  'ExtendOrderLock', 'DeleteOrderLock', 'RecordOrderPaymentById',
  'HandleEvent:payment_intent.created', 'HandleEvent:payment_intent.status_updated',
].map((name) => ({ name, version: 'v1' }));

test('an account with nothing registered gets two empty lists', async (t) => {
  const { p, key } = await setup(t);
  const res = await api(p.url, 'GET', '/epos/integrations', { key });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { restIntegrations: [], wsIntegrations: [] });
  assert.deepEqual((await api(p.url, 'GET', '/epos/integrations/ws', { key })).body, []);
  assert.deepEqual((await api(p.url, 'GET', '/epos/integrations/rest', { key })).body, []);
});

test("the guide's WebSocket registration is answered with the integration, createdAt and each capability's updatedAt", async (t) => {
  const { p, key } = await setup(t);
  const put = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: GUIDE_WS } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.length, 1);
  const [ws] = put.body;
  assert.match(ws.createdAt, ISO);
  assert.deepEqual(ws.capabilities.map((c: any) => [c.name, c.version]), GUIDE_WS.map((c) => [c.name, 'v1']));
  for (const c of ws.capabilities) assert.match(c.updatedAt, ISO);
  assert.deepEqual(Object.keys(ws).sort(), ['capabilities', 'createdAt']);

  const all = await api(p.url, 'GET', '/epos/integrations', { key });
  assert.deepEqual(all.body, { restIntegrations: [], wsIntegrations: [ws] });
});

test("the guide's REST registration keeps the url, shows the username only, and stores the password encrypted", async (t) => {
  const { p, key } = await setup(t);
  const body = {
    capabilities: [{ name: 'GetOrderById', version: 'v1' }],
    auth: { authType: 'basic', basic: { username: 'dojo', password: 'password-s3cret' } },
    url: 'https://f815-86-22-100-52.ngrok-free.app/some/path/v1/orders/{orderID}',
  };
  const put = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body });
  assert.equal(put.status, 200, put.text);
  assert.ok(!put.text.includes('password-s3cret'), 'password never echoed');
  const [rest] = put.body;
  assert.equal(rest.url, body.url);
  assert.deepEqual(rest.auth, { authType: 'basic', basic: { username: 'dojo' } });
  assert.match(rest.createdAt, ISO);

  const get = await api(p.url, 'GET', '/epos/integrations', { key });
  assert.ok(!get.text.includes('password-s3cret'));
  assert.deepEqual(get.body.restIntegrations, [rest]);

  const dump = JSON.stringify(p.store.db.prepare('SELECT * FROM integrations').all());
  assert.ok(!dump.includes('password-s3cret'), 'password not in the database in clear');
  const target = await p.registry.restTarget({ accountId: 'acc-1', env: 'sandbox' });
  assert.deepEqual(target, { baseUrl: 'https://f815-86-22-100-52.ngrok-free.app/some/path', username: 'dojo', password: 'password-s3cret' });
});

test('every PUT replaces the whole list; createdAt and unchanged capabilities keep their timestamps; [] unregisters', async (t) => {
  const { p, key } = await setup(t);
  const first = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'ListAreas', version: 'v1' }, { name: 'SearchTables', version: 'v1' }] } });
  await new Promise((r) => setTimeout(r, 5));
  const second = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'SearchTables', version: 'v1' }, { name: 'GetOrderById', version: 'v1' }] } });
  assert.deepEqual(second.body[0].capabilities.map((c: any) => c.name), ['SearchTables', 'GetOrderById']);
  assert.equal(second.body[0].createdAt, first.body[0].createdAt);
  assert.equal(second.body[0].capabilities[0].updatedAt, first.body[0].capabilities[1].updatedAt);
  assert.notEqual(second.body[0].capabilities[1].updatedAt, first.body[0].capabilities[0].updatedAt);
  assert.deepEqual(await p.registry.transportsFor({ accountId: 'acc-1', env: 'sandbox' }, 'ListAreas'), { ws: false, rest: false });

  const cleared = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [] } });
  assert.equal(cleared.status, 200);
  assert.deepEqual(cleared.body, []);
  assert.deepEqual((await api(p.url, 'GET', '/epos/integrations', { key })).body, { restIntegrations: [], wsIntegrations: [] });
});

test('legacy names are stored and shown in the wire-aligned form; version 1.0.0 reads as v1', async (t) => {
  const { p, key } = await setup(t);
  const put = await api(p.url, 'PUT', '/epos/integrations/ws', {
    key,
    body: { capabilities: ['GetOrderBill', 'RecordOrderPayment', 'UpdatePartyById', 'UpdateReservationById'].map((name) => ({ name, version: '1.0.0' })) },
  });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body[0].capabilities.map((c: any) => [c.name, c.version]), [
    ['GetOrderBillById', 'v1'], ['RecordOrderPaymentById', 'v1'], ['UpdateParty', 'v1'], ['UpdateReservation', 'v1'],
  ]);
});

test('preview capabilities are accepted with a Warning header and the documented shape', async (t) => {
  const { p, key } = await setup(t);
  const put = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'SearchMenus', version: 'v1' }, { name: 'ListAreas', version: 'v1' }] } });
  assert.equal(put.status, 200);
  assert.match(put.headers.get('warning') ?? '', /^299 eposgate ".*SearchMenus.*"$/);
  assert.deepEqual(put.body[0].capabilities.map((c: any) => c.name), ['SearchMenus', 'ListAreas']);
  const plain = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'ListAreas', version: 'v1' }] } });
  assert.equal(plain.headers.get('warning'), null);
});

test('bad registration bodies get a 400 naming the field (and the closest valid name) and change nothing', async (t) => {
  const { p, key } = await setup(t);
  await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'ListAreas', version: 'v1' }] } });
  const cases: [string, unknown, string, RegExp][] = [
    ['misspelt name', { capabilities: [{ name: 'GetOrdrById', version: 'v1' }] }, '$.capabilities[0].name', /did you mean "GetOrderById"/],
    ['spec example name', { capabilities: [{ name: 'GetOrder', version: 'v1' }] }, '$.capabilities[0].name', /did you mean "GetOrderById"/],
    ['wrong case', { capabilities: [{ name: 'listareas', version: 'v1' }] }, '$.capabilities[0].name', /did you mean "ListAreas"/],
    ['other event qualifier', { capabilities: [{ name: 'HandleEvent:payment_intent.refunded', version: 'v1' }] }, '$.capabilities[0].name', /event types are payment_intent\.created and payment_intent\.status_updated/],
    ['bare HandleEvent', { capabilities: [{ name: 'HandleEvent', version: 'v1' }] }, '$.capabilities[0].name', /unknown/],
    ['duplicate', { capabilities: [{ name: 'ListAreas', version: 'v1' }, { name: 'ListAreas', version: 'v1' }] }, '$.capabilities[1].name', /duplicate/],
    ['alias duplicate', { capabilities: [{ name: 'GetOrderBillById', version: 'v1' }, { name: 'GetOrderBill', version: 'v1' }] }, '$.capabilities[1].name', /same as "GetOrderBillById"/],
    ['missing version', { capabilities: [{ name: 'ListAreas' }] }, '$.capabilities[0].version', /required/],
    ['other version', { capabilities: [{ name: 'ListAreas', version: 'v2' }] }, '$.capabilities[0].version', /v1 is the only version/],
    ['numeric version', { capabilities: [{ name: 'ListAreas', version: 1 }] }, '$.capabilities[0].version', /string "v1"/],
    ['name not a string', { capabilities: [{ name: 42, version: 'v1' }] }, '$.capabilities[0].name', /must be a string/],
    ['capability not an object', { capabilities: ['ListAreas'] }, '$.capabilities[0]', /object/],
    ['missing capabilities', {}, '$.capabilities', /required/],
    ['capabilities not an array', { capabilities: { name: 'ListAreas' } }, '$.capabilities', /array/],
    ['body an array', [], '$', /JSON object/],
    ['url on ws', { capabilities: [], url: 'https://x.example' }, '$.url', /WebSocket integrations take no url/],
    ['unknown field', { capabilites: [] }, '$.capabilites', /unknown field/],
  ];
  for (const [name, body, path, message] of cases) {
    const res = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body });
    assert.equal(res.status, 400, `${name}: ${res.text}`);
    assert.equal(res.body.error, 'VALIDATION_FAILED', name);
    const issue = res.body.details.find((d: any) => d.path === path);
    assert.ok(issue, `${name}: an issue at ${path} in ${res.text}`);
    assert.match(issue.message, message, name);
    assert.ok(res.body.message.startsWith(res.body.details[0].path), `${name}: message leads with the path`);
  }
  const after = await api(p.url, 'GET', '/epos/integrations/ws', { key });
  assert.deepEqual(after.body[0].capabilities.map((c: any) => c.name), ['ListAreas'], 'nothing changed');
});

test('REST registrations: url and auth rules, stricter in production', async (t) => {
  const { p, key } = await setup(t);
  const { key: prod } = await p.keys.create('acc-1', 'production');
  const auth = { authType: 'basic', basic: { username: 'u', password: 'p' } };
  const capabilities = [{ name: 'GetOrderById', version: 'v1' }];
  const bad: [string, string, unknown, string, RegExp][] = [
    ['no url', key, { capabilities, auth }, '$.url', /required/],
    ['relative url', key, { capabilities, auth, url: '/dojo' }, '$.url', /absolute/],
    ['ftp url', key, { capabilities, auth, url: 'ftp://epos.example' }, '$.url', /https/],
    ['credentials in url', key, { capabilities, auth, url: 'https://u:p@epos.example' }, '$.url', /credentials/],
    ['placeholder before /v1', key, { capabilities, auth, url: 'https://epos.example/{tenant}/api' }, '$.url', /placeholders/],
    ['no auth', key, { capabilities, url: 'https://epos.example' }, '$.auth', /required/],
    ['other authType', key, { capabilities, url: 'https://epos.example', auth: { authType: 'oauth', basic: { username: 'u', password: 'p' } } }, '$.auth.authType', /only type is "basic"/],
    ['no password', key, { capabilities, url: 'https://epos.example', auth: { authType: 'basic', basic: { username: 'u' } } }, '$.auth.basic.password', /required/],
    ['production http', prod, { capabilities, auth, url: 'http://epos.example' }, '$.url', /https/],
    ['production loopback', prod, { capabilities, auth, url: 'https://127.0.0.1:8443' }, '$.url', /loopback/],
    ['production localhost', prod, { capabilities, auth, url: 'https://localhost' }, '$.url', /loopback/],
    ['production private', prod, { capabilities, auth, url: 'https://10.1.2.3' }, '$.url', /private/],
    ['production private 192', prod, { capabilities, auth, url: 'https://192.168.0.10/x' }, '$.url', /private/],
    ['production link-local', prod, { capabilities, auth, url: 'https://169.254.169.254' }, '$.url', /link-local/],
    ['production ipv6 loopback', prod, { capabilities, auth, url: 'https://[::1]/' }, '$.url', /loopback/],
    ['production mapped loopback', prod, { capabilities, auth, url: 'https://[::ffff:127.0.0.1]/' }, '$.url', /loopback/],
  ];
  for (const [name, k, body, path, message] of bad) {
    const res = await api(p.url, 'PUT', '/epos/integrations/rest', { key: k, body });
    assert.equal(res.status, 400, `${name}: ${res.text}`);
    const issue = res.body.details.find((d: any) => d.path === path);
    assert.ok(issue, `${name}: an issue at ${path} in ${res.text}`);
    assert.match(issue.message, message, name);
  }
  const sandboxLocal = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities, auth, url: 'http://127.0.0.1:9999/epos/' } });
  assert.equal(sandboxLocal.status, 200, 'sandbox may point at a local EPOS over http');
  assert.equal((await p.registry.restTarget({ accountId: 'acc-1', env: 'sandbox' }))!.baseUrl, 'http://127.0.0.1:9999/epos');
  const prodOk = await api(p.url, 'PUT', '/epos/integrations/rest', { key: prod, body: { capabilities, auth, url: 'https://epos.example.com/dojo' } });
  assert.equal(prodOk.status, 200, prodOk.text);
});

test('malformed, oversized and non-JSON bodies get clear JSON errors', async (t) => {
  const p = await testPlatform({ bodyLimit: 2048 });
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'sandbox');
  const broken = await api(p.url, 'PUT', '/epos/integrations/ws', { key, rawBody: '{"capabilities": [' });
  assert.equal(broken.status, 400);
  assert.equal(broken.body.error, 'INVALID_JSON');
  const empty = await api(p.url, 'PUT', '/epos/integrations/ws', { key, rawBody: '' , headers: { 'content-type': 'application/json' } });
  assert.equal(empty.status, 400);
  assert.equal(empty.body.error, 'INVALID_JSON');
  const big = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [], pad: 'x'.repeat(5000) } });
  assert.equal(big.status, 413);
  assert.equal(big.body.error, 'BODY_TOO_LARGE');
  const text = await api(p.url, 'PUT', '/epos/integrations/ws', { key, rawBody: 'capabilities=ListAreas', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(text.status, 415);
  assert.equal(text.body.error, 'UNSUPPORTED_MEDIA_TYPE');
  const nowhere = await api(p.url, 'GET', '/nowhere', { key });
  assert.equal(nowhere.status, 404);
  assert.equal(nowhere.body.error, 'NOT_FOUND');
  assert.ok(nowhere.headers.get('x-trace-id'));
  const health = await api(p.url, 'GET', '/healthz');
  assert.deepEqual(health.body, { status: 'ok' });
});

test('one account never sees or changes another account\'s registrations', async (t) => {
  const { p, key: a } = await setup(t);
  const { key: b } = await p.keys.create('acc-2', 'sandbox');
  await api(p.url, 'PUT', '/epos/integrations/ws', { key: a, body: { capabilities: [{ name: 'ListAreas', version: 'v1' }] } });
  await api(p.url, 'PUT', '/epos/integrations/rest', { key: a, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }], url: 'https://a.example', auth: { authType: 'basic', basic: { username: 'a', password: 'pa' } } } });
  assert.deepEqual((await api(p.url, 'GET', '/epos/integrations', { key: b })).body, { restIntegrations: [], wsIntegrations: [] });
  await api(p.url, 'PUT', '/epos/integrations/ws', { key: b, body: { capabilities: [] } });
  await api(p.url, 'PUT', '/epos/integrations/rest', { key: b, body: { capabilities: [], url: 'https://b.example', auth: { authType: 'basic', basic: { username: 'b', password: 'pb' } } } });
  const mine = await api(p.url, 'GET', '/epos/integrations', { key: a });
  assert.equal(mine.body.wsIntegrations[0].capabilities[0].name, 'ListAreas');
  assert.equal(mine.body.restIntegrations[0].url, 'https://a.example');
});

test('a restart keeps every key and registration, and the stored password still decrypts', async (t) => {
  const first = await testPlatform();
  const { key } = await first.keys.create('acc-1', 'sandbox');
  await api(first.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: GUIDE_WS } });
  await api(first.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }], url: 'https://epos.example/dojo', auth: { authType: 'basic', basic: { username: 'dojo', password: 'pw-1' } } } });
  const before = (await api(first.url, 'GET', '/epos/integrations', { key })).body;
  await first.stop();

  const second = await testPlatform({ dataDir: first.dataDir });
  t.after(() => second.destroy());
  const after = await api(second.url, 'GET', '/epos/integrations', { key });
  assert.equal(after.status, 200);
  assert.deepEqual(after.body, before);
  assert.equal((await second.registry.restTarget({ accountId: 'acc-1', env: 'sandbox' }))!.password, 'pw-1');
});

test('re-registering the same list answers the same integration; a new password or software house is still written', async (t) => {
  const { p, key } = await setup(t);
  const body = { capabilities: [{ name: 'GetOrderById', version: 'v1' }], url: 'https://epos.example/dojo', auth: { authType: 'basic', basic: { username: 'u', password: 'first' } } };
  const first = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body });
  await new Promise((r) => setTimeout(r, 5));
  const again = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body });
  assert.deepEqual(again.body, first.body);

  const tenant = { accountId: 'acc-1', env: 'sandbox' as const };
  await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { ...body, auth: { authType: 'basic', basic: { username: 'u', password: 'second' } } } });
  assert.equal((await p.registry.restTarget(tenant))!.password, 'second');
  await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { ...body, auth: { authType: 'basic', basic: { username: 'u', password: 'second' } } }, softwareHouseId: 'another-house' });
  const row = p.store.db.prepare('SELECT software_house_id FROM integrations WHERE account_id = ?').get('acc-1') as { software_house_id: string };
  assert.equal(row.software_house_id, 'another-house');

  // A fresh process reads what was written, not a cached view.
  await p.stop();
  const again2 = await testPlatform({ dataDir: p.dataDir });
  t.after(() => again2.destroy());
  assert.equal((await again2.registry.restTarget(tenant))!.password, 'second');
});

test('a REST integration is unregistered with {"capabilities": []} alone: no url or auth needed', async (t) => {
  const { p, key } = await setup(t);
  const body = {
    capabilities: [{ name: 'GetOrderById', version: 'v1' }],
    auth: { authType: 'basic', basic: { username: 'dojo', password: 'pw' } },
    url: 'https://epos.example.com/dojo',
  };
  assert.equal((await api(p.url, 'PUT', '/epos/integrations/rest', { key, body })).status, 200);
  const off = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities: [] } });
  assert.equal(off.status, 200, off.text);
  assert.deepEqual(off.body, []);
  const get = await api(p.url, 'GET', '/epos/integrations', { key });
  assert.deepEqual(get.body.restIntegrations, []);
  assert.equal(await p.registry.restTarget({ accountId: 'acc-1', env: 'sandbox' }), undefined);
  // A non-empty list still needs both.
  const bad = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities: body.capabilities } });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.details.map((d: { path: string }) => d.path), ['$.url', '$.auth']);
});

test('the call path\'s cached read of the registration answers what the store holds, never an entry a PUT replaced', async (t) => {
  const { p } = await setup(t);
  const tenant = { accountId: 'acc-1', env: 'sandbox' as const };
  const caller = { ...tenant, keyId: 'k', softwareHouseId: 'sh' };
  const cap = (name: string) => ({ name }) as Parameters<typeof p.registry.transportsForNow>[1];
  assert.equal(p.registry.transportsForNow(tenant, cap('GetOrderById')), undefined, 'nothing read yet: the caller must ask the store');
  await p.registry.put(caller, 'ws', { capabilities: [{ name: 'GetOrderById', version: 'v1' }] });
  await p.registry.transportsFor(tenant, 'GetOrderById');
  assert.deepEqual(p.registry.transportsForNow(tenant, cap('GetOrderById')), { ws: true, rest: false });
  // A PUT that drops the capability: from the moment it returns, the cached read says so, or
  // says nothing (the caller then awaits transportsFor), but never the dropped registration.
  await p.registry.put(caller, 'ws', { capabilities: [{ name: 'SearchOrders', version: 'v1' }] });
  const now = p.registry.transportsForNow(tenant, cap('GetOrderById'));
  assert.ok(now === undefined || (!now.ws && !now.rest), JSON.stringify(now));
  assert.deepEqual(await p.registry.transportsFor(tenant, 'GetOrderById'), { ws: false, rest: false });
  assert.deepEqual(p.registry.transportsForNow(tenant, cap('GetOrderById')), { ws: false, rest: false });
  assert.deepEqual(p.registry.transportsForNow(tenant, cap('SearchOrders')), { ws: true, rest: false });
  p.registry.invalidate(tenant);
  assert.equal(p.registry.transportsForNow(tenant, cap('SearchOrders')), undefined, 'invalidated: read again');
});
