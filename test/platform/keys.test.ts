import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, testPlatform } from '../helpers/platform.ts';

test('API keys: authentication errors say exactly what is wrong', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'sandbox');
  const { key: revoked, record } = await p.keys.create('acc-1', 'sandbox');
  await p.keys.revoke(record.id);

  const ok = await api(p.url, 'GET', '/epos/integrations', { key });
  assert.equal(ok.status, 200);

  const cases: [string, Record<string, string | undefined>, number, string][] = [
    ['missing header', {}, 401, 'MISSING_AUTHORIZATION'],
    ['bearer scheme', { authorization: `Bearer ${key}` }, 401, 'MALFORMED_AUTHORIZATION'],
    ['base64 of the key', { authorization: `Basic ${Buffer.from(key).toString('base64')}` }, 401, 'BASE64_API_KEY'],
    ['base64 of key:', { authorization: `Basic ${Buffer.from(key + ':').toString('base64')}` }, 401, 'BASE64_API_KEY'],
    ['wrong prefix', { authorization: 'Basic pk_live_abcdef1234567890' }, 401, 'UNKNOWN_KEY_PREFIX'],
    ['unknown key', { authorization: 'Basic sk_sandbox_doesnotexist000000000000' }, 401, 'UNKNOWN_API_KEY'],
    ['revoked key', { authorization: `Basic ${revoked}` }, 401, 'REVOKED_API_KEY'],
  ];
  for (const [name, headers, status, code] of cases) {
    const h: Record<string, string> = { 'software-house-id': 'shx' };
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = v;
    const res = await fetch(p.url + '/epos/integrations', { headers: h });
    const body = (await res.json()) as { error: string; message: string; traceId: string };
    assert.equal(res.status, status, name);
    assert.equal(body.error, code, name);
    assert.ok(body.message.length > 10, name);
    assert.equal(body.traceId, res.headers.get('x-trace-id'), `${name}: trace id in body and header`);
  }

  const noShid = await api(p.url, 'GET', '/epos/integrations', { key, softwareHouseId: null });
  assert.equal(noShid.status, 400);
  assert.equal(noShid.body.error, 'MISSING_SOFTWARE_HOUSE_ID');
  assert.match(noShid.body.message, /software-house-id/);
});

test('keys are stored only as hashes', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'production');
  assert.match(key, /^sk_prod_/);
  const rows = p.store.db.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
  assert.equal(rows.length, 1);
  const dump = JSON.stringify(rows);
  assert.ok(!dump.includes(key), 'the key itself is not in the database');
  assert.ok(!dump.includes(key.slice(8)), 'not even without its prefix');
});

test('a sandbox key and a production key of one account see separate registrations', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const { key: sandbox } = await p.keys.create('acc-1', 'sandbox');
  const { key: prod } = await p.keys.create('acc-1', 'production');
  const put = await api(p.url, 'PUT', '/epos/integrations/ws', { key: sandbox, body: { capabilities: [{ name: 'ListAreas', version: 'v1' }] } });
  assert.equal(put.status, 200);
  const seenByProd = await api(p.url, 'GET', '/epos/integrations', { key: prod });
  assert.deepEqual(seenByProd.body, { restIntegrations: [], wsIntegrations: [] });
  const seenBySandbox = await api(p.url, 'GET', '/epos/integrations/ws', { key: sandbox });
  assert.equal(seenBySandbox.body[0].capabilities[0].name, 'ListAreas');
});

test('the rate limit answers 429 with Retry-After once a key exceeds its burst', async (t) => {
  const p = await testPlatform({ rateLimit: { perSecond: 1, burst: 3 } });
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'sandbox');
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await api(p.url, 'GET', '/epos/integrations', { key })).status);
  assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
  const limited = await api(p.url, 'GET', '/epos/integrations', { key });
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error, 'RATE_LIMITED');
  assert.equal(limited.headers.get('retry-after'), '1');
});

test('the key cache: a short header seen is not looked up again within the TTL, a long one always is; a revoke here bites at once, one elsewhere within the TTL', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { SqliteStore } = await import('../../packages/eposgate/src/platform/store/sqlite/index.ts');
  const { KeyService } = await import('../../packages/eposgate/src/platform/auth/keys.ts');
  const dir = mkdtempSync(join(tmpdir(), 'eposgate-keycache-'));
  const store = new SqliteStore(dir);
  t.after(async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); });
  // The store as the service sees it, counting its lookups.
  let lookups = 0;
  const counted = Object.create(store.keys, { findByHash: { value: (h: string) => { lookups++; return store.keys.findByHash(h); } } }) as typeof store.keys;
  const keys = new KeyService(counted, () => new Date(), { ttlMs: 1000 });
  const { key, record } = await keys.create('acc-c', 'sandbox');
  lookups = 0;
  const headers = (authorization: string) => ({ authorization, 'software-house-id': 'shx' });

  assert.equal((await keys.authenticate(headers(`Basic ${key}`))).keyId, record.id);
  assert.equal((await keys.authenticate(headers(`Basic ${key}`))).keyId, record.id);
  assert.equal(lookups, 1, 'the second request is answered from the cache');
  // Another spelling of the same key is checked in full, then cached on its own.
  assert.equal((await keys.authenticate(headers(`basic   ${key} `))).keyId, record.id);
  assert.equal(lookups, 2);
  // A header longer than the cache keeps (a valid key padded with spaces) is checked in full each time.
  const padded = `Basic ${' '.repeat(300)}${key}`;
  for (let i = 0; i < 2; i++) assert.equal((await keys.authenticate(headers(padded))).keyId, record.id);
  assert.equal(lookups, 4);
  // A refused header is never cached: each try is checked again.
  const unknown = 'Basic sk_sandbox_doesnotexist000000000000';
  for (let i = 0; i < 2; i++) await assert.rejects(keys.authenticate(headers(unknown)), { code: 'UNKNOWN_API_KEY' });
  assert.equal(lookups, 6);
  // The software house is read from each request, not from the cache.
  await assert.rejects(keys.authenticate({ authorization: `Basic ${key}` }), { code: 'MISSING_SOFTWARE_HOUSE_ID' });
  // The call path's synchronous check answers from the cache alone, with the same caller and errors.
  assert.deepEqual(keys.authenticateNow(headers(`Basic ${key}`)), await keys.authenticate(headers(`Basic ${key}`)));
  assert.throws(() => keys.authenticateNow({ authorization: `Basic ${key}` }), { code: 'MISSING_SOFTWARE_HOUSE_ID' });
  assert.equal(keys.authenticateNow(headers(unknown)), undefined, 'not cached: the caller awaits authenticate');
  assert.equal(keys.authenticateNow(headers(padded)), undefined, 'too long to cache');

  // Revoked through the service: refused at once, both spellings.
  const other = await keys.create('acc-c', 'sandbox');
  await keys.authenticate(headers(`Basic ${other.key}`));
  await keys.revoke(other.record.id);
  await assert.rejects(keys.authenticate(headers(`Basic ${other.key}`)), { code: 'REVOKED_API_KEY' });
  // Revoked behind its back (another process writes the store): still served until the TTL ends, then refused.
  await keys.authenticate(headers(`Basic ${key}`));
  await store.keys.revoke(record.id, new Date().toISOString());
  assert.equal((await keys.authenticate(headers(`Basic ${key}`))).keyId, record.id);
  await new Promise((r) => setTimeout(r, 1050));
  await assert.rejects(keys.authenticate(headers(`Basic ${key}`)), { code: 'REVOKED_API_KEY' });
});
