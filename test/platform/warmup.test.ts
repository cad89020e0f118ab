import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import { connect, defineEpos } from '../../packages/sdk/src/index.ts';
import { fastPassesCompiled, findCapability } from '../../packages/contract/src/index.ts';
import { FIXTURES } from '../fixtures/contract.ts';

// A check compiled on a call's path holds up every request in flight behind it (an order's result:
// ~50 ms); the platform compiles what tenants registered when it starts and when a PUT writes a
// registration, the SDK what it implements when it goes online (BENCHMARKS.md, ninth and tenth passes).

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a PUT registration has its capabilities\' checks compiled before any call', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-warm', 'sandbox');
  const caps = ['SearchMenus', 'CreateReservation'];
  const put = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: caps.map((name) => ({ name, version: 'v1' })) } });
  assert.equal(put.status, 200, put.text);
  await until('the warm-up', () => caps.every((c) => p.warmup.compiled.has(c)));
  assert.deepEqual([...p.warmup.compiled].sort(), [...caps].sort());
});

test('a restarted platform compiles what its store holds registered, without reading any tenant into the registry; the first call compiles nothing', async (t) => {
  const first: TestPlatform = await testPlatform();
  const { key } = await first.keys.create('acc-warm2', 'sandbox');
  const put = await api(first.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } });
  assert.equal(put.status, 200, put.text);
  const other = await first.keys.create('acc-warm3', 'sandbox');
  const put2 = await api(first.url, 'PUT', '/epos/integrations/rest', { key: other.key, body: {
    capabilities: [{ name: 'SearchOrders', version: 'v1' }, { name: 'GetOrderById', version: 'v1' }],
    url: 'https://epos.example', auth: { authType: 'basic', basic: { username: 'u', password: 'password-1234' } },
  } });
  assert.equal(put2.status, 200, put2.text);
  await first.close();
  // Same data directory: the registrations come from the store, not from a PUT.
  const p = await testPlatform({ dataDir: first.dataDir });
  t.after(() => p.destroy());
  await until('the warm-up at start', () => p.warmup.compiled.size === 2);
  assert.deepEqual([...p.warmup.compiled].sort(), ['GetOrderById', 'SearchOrders']);
  const fx = FIXTURES.GetOrderById;
  const epos = defineEpos({ GetOrderById: async () => fx.result as never });
  const conn = connect(epos, { url: p.url.replace(/^http/, 'ws') + '/epos', apiKey: key, softwareHouseId: 'sh', reconnect: false });
  t.after(() => conn.close());
  await new Promise<void>((resolve, reject) => { conn.once('connect', () => resolve()); conn.once('error', reject); });
  await epos.prepare!();
  const getOrder = findCapability('GetOrderById')!;
  assert.equal(p.registry.transportsForNow({ accountId: 'acc-warm2', env: 'sandbox' }, getOrder), undefined,
    'neither the warm-up nor the EPOS\'s connect read the tenant\'s registration into the cache (B3: memory per idle socket)');
  const compiled = fastPassesCompiled();
  const res = await api(p.url, 'GET', `/epos/data/v1/orders/${String(fx.params.orderId)}`, { key });
  assert.equal(res.status, 200, res.text);
  assert.equal(fastPassesCompiled(), compiled, 'neither the platform nor the SDK compiled a check on the call');
});
