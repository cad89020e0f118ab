// `eposgate epos` runs the reference EPOS against a running platform, over either transport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eposgate, spawnEposgate, stop } from '../helpers/cli.ts';
import { api, tempDir, testPlatform } from '../helpers/platform.ts';

for (const transport of ['ws', 'rest'] as const) {
  test(`eposgate epos --transport ${transport} registers and serves the demo restaurant through the platform`, async (t) => {
    const p = await testPlatform();
    t.after(() => p.destroy());
    const { key } = await p.keys.create('acc-cli', 'sandbox');
    const db = join(tempDir(), 'restaurant.db');
    const { child } = await spawnEposgate(['epos', '--transport', transport, '--platform', p.url, '--api-key', key, '--db', db], /reference EPOS (connected|serving)/);
    t.after(() => stop(child));
    const integrations = (await api(p.url, 'GET', `/epos/integrations/${transport}`, { key })).body;
    assert.ok(integrations[0].capabilities.length >= 20, JSON.stringify(integrations));
    const order = await api(p.url, 'GET', '/epos/data/v1/orders/ord_0001', { key });
    assert.equal(order.status, 200, order.text);
    assert.equal(order.body.id, 'ord_0001');
  });
}

test('eposgate epos refuses to start without a key or with a key the platform does not know', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const noKey = await eposgate(['epos', '--platform', p.url], { EPOSGATE_API_KEY: '' });
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /--api-key/);
  const unknown = await eposgate(['epos', '--platform', p.url, '--api-key', 'sk_sandbox_notARealKey000000000000', '--db', ':memory:']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /401|UNKNOWN_API_KEY/);
});
