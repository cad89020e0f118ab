// The operator: one admin token that opens /admin/* and, naming a tenant in `eposgate-tenant`,
// every tenant-scoped route; refused with a clear error for each way the headers are wrong, and
// not at all when no token is configured. A vendor key never reaches /admin/*.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import { rawWsEpos } from '../helpers/rawEpos.ts';

const TOKEN = 'op-admin-token-1';
const asOperator = (tenant?: string, extra: Record<string, string> = {}) => ({
  headers: { authorization: `Bearer ${TOKEN}`, ...(tenant !== undefined ? { 'eposgate-tenant': tenant } : {}), ...extra },
  softwareHouseId: null,
});

async function platform(t: { after(fn: () => Promise<void>): void }, opts: Parameters<typeof testPlatform>[0] = {}): Promise<TestPlatform> {
  const p = await testPlatform({ adminToken: TOKEN, ...opts });
  t.after(() => p.destroy());
  return p;
}

test('the admin token opens /admin/whoami and acts on the tenant it names, seeing only that tenant', async (t) => {
  const p = await platform(t);
  const { key: keyA } = await p.keys.create('acc-a', 'sandbox');
  const { key: keyB } = await p.keys.create('acc-b', 'sandbox');

  const who = await api(p.url, 'GET', '/admin/whoami', asOperator());
  assert.equal(who.status, 200, who.text);
  assert.deepEqual(who.body, { role: 'operator' });
  assert.deepEqual((await api(p.url, 'GET', '/epos/whoami', asOperator('acc-a:sandbox'))).body, { role: 'operator' });
  const vendor = await api(p.url, 'GET', '/epos/whoami', { key: keyA });
  assert.equal(vendor.body.role, 'vendor');
  assert.equal(vendor.body.accountId, 'acc-a');
  assert.equal(vendor.body.env, 'sandbox');
  assert.ok(keyA.startsWith(vendor.body.keyHint.replace('…', '')), vendor.body.keyHint);

  // The operator registers for acc-a (no software-house-id needed); acc-a sees it, acc-b does not.
  const put = await api(p.url, 'PUT', '/epos/integrations/ws', { ...asOperator('acc-a:sandbox'), body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } });
  assert.equal(put.status, 200, put.text);
  const seenByA = await api(p.url, 'GET', '/epos/integrations/ws', { key: keyA });
  assert.deepEqual(seenByA.body.map((i: { capabilities: { name: string }[] }) => i.capabilities.map((c) => c.name)), [['GetOrderById']]);
  assert.deepEqual((await api(p.url, 'GET', '/epos/integrations/ws', { key: keyB })).body, []);
  assert.deepEqual((await api(p.url, 'GET', '/epos/integrations/ws', asOperator('acc-b:sandbox'))).body, []);
  const otherEnv = await api(p.url, 'GET', '/epos/integrations/ws', asOperator('acc-a:production'));
  assert.equal(otherEnv.status, 404, 'acc-a has no production key: no such tenant');
  assert.equal(otherEnv.body.error, 'UNKNOWN_TENANT');
});

test('tenant header errors say what is wrong: missing, malformed, unknown; a wrong token is refused', async (t) => {
  const p = await platform(t);
  await p.keys.create('acc:with:colons', 'production');
  const cases: [string, Record<string, string>, number, string][] = [
    ['no tenant header', { authorization: `Bearer ${TOKEN}` }, 400, 'MISSING_TENANT_HEADER'],
    ['no env', { authorization: `Bearer ${TOKEN}`, 'eposgate-tenant': 'acc-a' }, 400, 'MALFORMED_TENANT_HEADER'],
    ['unknown env', { authorization: `Bearer ${TOKEN}`, 'eposgate-tenant': 'acc-a:staging' }, 400, 'MALFORMED_TENANT_HEADER'],
    ['no account', { authorization: `Bearer ${TOKEN}`, 'eposgate-tenant': ':sandbox' }, 400, 'MALFORMED_TENANT_HEADER'],
    ['bad account characters', { authorization: `Bearer ${TOKEN}`, 'eposgate-tenant': 'a b:sandbox' }, 400, 'MALFORMED_TENANT_HEADER'],
    ['unknown tenant', { authorization: `Bearer ${TOKEN}`, 'eposgate-tenant': 'nobody:sandbox' }, 404, 'UNKNOWN_TENANT'],
    ['wrong token', { authorization: 'Bearer not-the-token', 'eposgate-tenant': 'acc:with:colons:production' }, 403, 'FORBIDDEN'],
  ];
  for (const [name, headers, status, code] of cases) {
    const res = await api(p.url, 'GET', '/epos/integrations', { headers, softwareHouseId: null });
    assert.equal(res.status, status, `${name}: ${res.text}`);
    assert.equal(res.body.error, code, name);
    assert.match(res.body.message, code === 'FORBIDDEN' ? /admin token/ : /eposgate-tenant/, name);
  }
  // An account id may hold ":": the last one splits off the env.
  const ok = await api(p.url, 'GET', '/epos/integrations', asOperator('acc:with:colons:production'));
  assert.equal(ok.status, 200, ok.text);
});

test('a vendor key cannot reach /admin/*, in any form', async (t) => {
  const p = await platform(t);
  const { key } = await p.keys.create('acc-a', 'sandbox');
  for (const path of ['/admin/tenants', '/admin/whoami']) {
    const basic = await api(p.url, 'GET', path, { key });
    assert.equal(basic.status, 403, basic.text);
    assert.equal(basic.body.error, 'FORBIDDEN');
    assert.match(basic.body.message, /operator only/);
    const bearer = await api(p.url, 'GET', path, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(bearer.status, 403, bearer.text);
    const none = await api(p.url, 'GET', path, {});
    assert.equal(none.status, 401);
    assert.equal(none.body.error, 'MISSING_AUTHORIZATION');
  }
});

test('without an admin token configured there is no operator access', async (t) => {
  const p = await platform(t, { adminToken: undefined });
  await p.keys.create('acc-a', 'sandbox');
  for (const path of ['/admin/tenants', '/epos/integrations']) {
    const res = await api(p.url, 'GET', path, asOperator('acc-a:sandbox'));
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.error, 'OPERATOR_ACCESS_DISABLED');
    assert.match(res.body.message, /EPOSGATE_ADMIN_TOKEN/);
  }
});

test('the operator has its own rate limit: exhausting it leaves vendors untouched', async (t) => {
  const p = await platform(t, { limits: { operatorRequestsPerSecond: 0.01, operatorRequestBurst: 2 } });
  const { key } = await p.keys.create('acc-a', 'sandbox');
  assert.equal((await api(p.url, 'GET', '/admin/whoami', asOperator())).status, 200);
  assert.equal((await api(p.url, 'GET', '/epos/whoami', asOperator('acc-a:sandbox'))).status, 200);
  const limited = await api(p.url, 'GET', '/admin/whoami', asOperator());
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error, 'RATE_LIMITED');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.equal((await api(p.url, 'GET', '/epos/whoami', { key })).status, 200, 'the vendor key has its own bucket');
});

test('GET /admin/tenants pages 1,000 tenants in order, searches them, and shows keys, registrations and sockets', async (t) => {
  const p = await platform(t);
  const ids = Array.from({ length: 1000 }, (_, i) => `acct-${String(i).padStart(4, '0')}`);
  // Straight into the store (group commit batches them): what is tested is the listing.
  await Promise.all(ids.map((id, i) => p.store.keys.insert({
    id: `key_${i}`, accountId: id, env: 'sandbox', hash: `hash-${i}`, hint: 'sk_sandbox_x…', createdAt: new Date().toISOString(),
  })));
  const { key } = await p.keys.create('acct-0500', 'sandbox');
  await p.keys.create('acct-0500', 'production');
  const put = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } });
  assert.equal(put.status, 200, put.text);
  const epos = await rawWsEpos(p.url, key, () => ({ silent: true }));
  t.after(() => epos.close());

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  let slowest = 0;
  do {
    const t0 = performance.now();
    const res = await api(p.url, 'GET', `/admin/tenants?limit=200${cursor ? `&cursor=${cursor}` : ''}`, asOperator());
    slowest = Math.max(slowest, performance.now() - t0);
    assert.equal(res.status, 200, res.text);
    seen.push(...res.body.tenants.map((r: { accountId: string; env: string }) => `${r.accountId}:${r.env}`));
    cursor = res.body.nextCursor;
    pages += 1;
  } while (cursor && pages < 10);
  assert.equal(pages, 6, '1,001 tenants in pages of 200');
  assert.equal(seen.length, 1001);
  assert.deepEqual(seen, [...seen].sort(), 'ordered by accountId, env');
  assert.equal(new Set(seen).size, seen.length, 'no tenant twice across pages');
  // Generous: a page is two indexed queries, milliseconds even on a loaded machine.
  assert.ok(slowest < 3000, `slowest page took ${Math.round(slowest)} ms`);

  const first = await api(p.url, 'GET', '/admin/tenants', asOperator());
  assert.equal(first.body.tenants.length, 50, 'default page size');

  const found = await api(p.url, 'GET', '/admin/tenants?q=ACCT-050', asOperator());
  assert.deepEqual(found.body.tenants.map((r: { accountId: string; env: string }) => `${r.accountId}:${r.env}`),
    ['acct-0500:production', 'acct-0500:sandbox', ...Array.from({ length: 9 }, (_, i) => `acct-050${i + 1}:sandbox`)]);
  const row = found.body.tenants.find((r: { accountId: string; env: string }) => r.accountId === 'acct-0500' && r.env === 'sandbox');
  assert.deepEqual(row, { accountId: 'acct-0500', env: 'sandbox', keys: 2, registered: { ws: ['GetOrderById'], rest: null }, sockets: 1 });
  const prod = found.body.tenants.find((r: { accountId: string; env: string }) => r.accountId === 'acct-0500' && r.env === 'production');
  assert.deepEqual(prod.registered, { ws: null, rest: null }, 'another env of the account is its own tenant');
  assert.equal(prod.sockets, 0);
  assert.equal(found.body.nextCursor, undefined);

  for (const bad of ['limit=201', 'limit=0', 'cursor=not-a-cursor', `q=${'x'.repeat(129)}`]) {
    const res = await api(p.url, 'GET', `/admin/tenants?${bad}`, asOperator());
    assert.equal(res.status, 400, `${bad}: ${res.text}`);
    assert.equal(res.body.error, 'VALIDATION_FAILED', bad);
    assert.match(res.body.message, /\$\.query\.(limit|cursor|q)/, bad);
  }
});

test('GET /admin/tenants shows lastCallAt from the call log: after a call, only for the tenant that made it', async (t) => {
  const p = await platform(t, { validateResults: false, limits: { callLogFlushMs: 10 } });
  const { key } = await p.keys.create('acc-called', 'sandbox');
  await p.keys.create('acc-called', 'production');
  await p.keys.create('acc-quiet', 'sandbox');
  const put = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } });
  assert.equal(put.status, 200, put.text);
  const epos = await rawWsEpos(p.url, key, (f) => ({ result: { id: String(f.params.orderId), status: 'Open' } }));
  t.after(() => epos.close());

  const rows = async () => {
    const res = await api(p.url, 'GET', '/admin/tenants', asOperator());
    assert.equal(res.status, 200, res.text);
    return new Map<string, { lastCallAt?: string }>(res.body.tenants.map((r: { accountId: string; env: string }) => [`${r.accountId}:${r.env}`, r]));
  };
  for (const [k, r] of await rows()) assert.equal(r.lastCallAt, undefined, `${k} has made no call yet`);

  const before = Date.now();
  const call = await api(p.url, 'GET', '/epos/data/v1/orders/ord-1', { key });
  assert.equal(call.status, 200, call.text);
  const afterCall = Date.now();
  await p.callLog!.flush();

  const seen = await rows();
  const at = seen.get('acc-called:sandbox')?.lastCallAt;
  assert.ok(at, 'the tenant that called has lastCallAt');
  assert.equal(new Date(at).toISOString(), at, 'an ISO date-time');
  assert.ok(Date.parse(at) >= before && Date.parse(at) <= afterCall, `${at} is when the call was made`);
  assert.equal(seen.get('acc-called:production')?.lastCallAt, undefined, 'the same account in another env made no call');
  assert.equal(seen.get('acc-quiet:sandbox')?.lastCallAt, undefined, 'a tenant with no call has none');
  assert.ok(!('lastCallAt' in seen.get('acc-quiet:sandbox')!), 'absent, not null');
});
