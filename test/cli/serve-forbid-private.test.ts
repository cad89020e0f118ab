// `eposgate serve --forbid-private-targets`: a hosted sandbox refuses REST targets on private addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { eposgate, spawnEposgate, stop } from '../helpers/cli.ts';
import { api, tempDir } from '../helpers/platform.ts';
import { rawRestEpos } from '../helpers/rawEpos.ts';
import { FIXTURES } from '../fixtures/contract.ts';

test('serve --forbid-private-targets refuses a sandbox REST target on loopback at connect time', async (t) => {
  const data = tempDir();
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const created = await eposgate(['keys', 'create', '--data', data, '--account', 'hosted', '--env', 'sandbox']);
  assert.equal(created.code, 0, created.stderr);
  const key = created.stdout.trim().split('\n').at(-1)!;
  const epos = await rawRestEpos(() => [200, FIXTURES.GetOrderById.result]);
  t.after(() => epos.close());

  const { child, match } = await spawnEposgate(['serve', '--port', '0', '--data', data, '--log-level', 'warn', '--forbid-private-targets'], /listening on (http:\/\/\S+)/);
  t.after(() => stop(child));
  const base = match[1]!;
  const reg = await api(base, 'PUT', '/epos/integrations/rest', { key, body: {
    capabilities: [{ name: 'GetOrderById', version: 'v1' }], url: epos.url.replace('127.0.0.1', 'localhost'),
    auth: { authType: 'basic', basic: { username: 'u', password: 'p' } },
  } });
  assert.equal(reg.status, 200, reg.text);
  const res = await api(base, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(res.status, 502, res.text);
  assert.equal(res.body.error, 'TARGET_FORBIDDEN');
  assert.equal(epos.calls.length, 0);
});
