import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import { connect, defineEpos } from '../../packages/sdk/src/index.ts';
import { fastPassesCompiled } from '../../packages/contract/src/index.ts';
import { FIXTURES } from '../fixtures/contract.ts';

// A check compiled on a call's path holds up every request in flight behind it (an order's result:
// ~50 ms); the platform compiles what an EPOS registered when it registers or connects, the SDK
// what it implements when it goes online (BENCHMARKS.md, ninth pass).

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

test('an EPOS that connects to a restarted platform has its registration compiled, and its first call compiles nothing', async (t) => {
  const first: TestPlatform = await testPlatform();
  const { key } = await first.keys.create('acc-warm2', 'sandbox');
  const put = await api(first.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } });
  assert.equal(put.status, 200, put.text);
  await first.close();
  // Same data directory: the registration comes from the store, not from a PUT.
  const p = await testPlatform({ dataDir: first.dataDir });
  t.after(() => p.destroy());
  assert.equal(p.warmup.compiled.size, 0);
  const fx = FIXTURES.GetOrderById;
  const epos = defineEpos({ GetOrderById: async () => fx.result as never });
  const conn = connect(epos, { url: p.url.replace(/^http/, 'ws') + '/epos', apiKey: key, softwareHouseId: 'sh', reconnect: false });
  t.after(() => conn.close());
  await new Promise<void>((resolve, reject) => { conn.once('connect', () => resolve()); conn.once('error', reject); });
  await until('the platform\'s warm-up', () => p.warmup.compiled.has('GetOrderById'));
  await epos.prepare!();
  const compiled = fastPassesCompiled();
  const res = await api(p.url, 'GET', `/epos/data/v1/orders/${String(fx.params.orderId)}`, { key });
  assert.equal(res.status, 200, res.text);
  assert.equal(fastPassesCompiled(), compiled, 'neither the platform nor the SDK compiled a check on the call');
});
