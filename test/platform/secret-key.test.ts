// A changed EPOSGATE_SECRET_KEY leaves stored REST passwords unreadable: calls say how to repair it,
// listing still works, and registering again (even identically) repairs it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { SecretBox } from '../../packages/eposgate/src/platform/auth/secrets.ts';
import { FIXTURES } from '../fixtures/contract.ts';
import { api, tempDir, testPlatform } from '../helpers/platform.ts';
import { rawRestEpos } from '../helpers/rawEpos.ts';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

test('a SecretBox under another key cannot open a sealed secret: open throws, tryOpen says undefined', () => {
  const sealed = new SecretBox(Buffer.from(KEY_A, 'base64')).seal('pw');
  const other = new SecretBox(Buffer.from(KEY_B, 'base64'));
  assert.throws(() => other.open(sealed));
  assert.equal(other.tryOpen(sealed), undefined);
  assert.equal(other.tryOpen('garbage'), undefined);
  assert.equal(new SecretBox(Buffer.from(KEY_A, 'base64')).tryOpen(sealed), 'pw');
});

test('after the secret key changes, REST calls are 503 SECRET_UNREADABLE until the integration is registered again', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const epos = await rawRestEpos(() => [200, FIXTURES.GetOrderById.result]);
  t.after(() => epos.close());
  const body = { capabilities: [{ name: 'GetOrderById', version: 'v1' }], url: epos.url, auth: { authType: 'basic', basic: { username: 'dojo', password: 'pw-1' } } };

  const first = await testPlatform({ dataDir, secretKey: KEY_A });
  const { key } = await first.keys.create('acc-1', 'sandbox');
  assert.equal((await api(first.url, 'PUT', '/epos/integrations/rest', { key, body })).status, 200);
  assert.equal((await api(first.url, 'GET', '/epos/data/v1/orders/o-1', { key })).status, 200);
  await first.stop();

  const second = await testPlatform({ dataDir, secretKey: KEY_B });
  t.after(() => second.stop());
  const broken = await api(second.url, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(broken.status, 503, broken.text);
  assert.equal(broken.body.error, 'SECRET_UNREADABLE');
  assert.match(broken.body.message, /secret key \(EPOSGATE_SECRET_KEY\) changed/);
  assert.match(broken.body.message, /Register the REST integration again \(PUT \/epos\/integrations\/rest/);
  assert.equal(epos.calls.length, 1, 'nothing was sent with an unreadable password');

  const listed = await api(second.url, 'GET', '/epos/integrations', { key });
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.body.restIntegrations[0].url, epos.url);
  assert.deepEqual(listed.body.restIntegrations[0].auth, { authType: 'basic', basic: { username: 'dojo' } });

  // The identical body the EPOS sends on every start: the unchanged-registration shortcut must not crash.
  const again = await api(second.url, 'PUT', '/epos/integrations/rest', { key, body });
  assert.equal(again.status, 200, again.text);
  const repaired = await api(second.url, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(repaired.status, 200, repaired.text);
  assert.equal(epos.calls.at(-1)!.headers.authorization, basic('dojo', 'pw-1'));

  // And the repair was stored: a later restart under the new key still reads it.
  await second.stop();
  const third = await testPlatform({ dataDir, secretKey: KEY_B });
  t.after(() => third.stop());
  assert.equal((await api(third.url, 'GET', '/epos/data/v1/orders/o-1', { key })).status, 200);
});

test('a new password also repairs an unreadable registration', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const epos = await rawRestEpos(() => [200, FIXTURES.GetOrderById.result]);
  t.after(() => epos.close());
  const body = (password: string) => ({ capabilities: [{ name: 'GetOrderById', version: 'v1' }], url: epos.url, auth: { authType: 'basic', basic: { username: 'dojo', password } } });

  const first = await testPlatform({ dataDir, secretKey: KEY_A });
  const { key } = await first.keys.create('acc-1', 'sandbox');
  await api(first.url, 'PUT', '/epos/integrations/rest', { key, body: body('old') });
  await first.stop();

  const second = await testPlatform({ dataDir, secretKey: KEY_B });
  t.after(() => second.stop());
  assert.equal((await api(second.url, 'GET', '/epos/data/v1/orders/o-1', { key })).body.error, 'SECRET_UNREADABLE');
  assert.equal((await api(second.url, 'PUT', '/epos/integrations/rest', { key, body: body('new') })).status, 200);
  const res = await api(second.url, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(res.status, 200, res.text);
  assert.equal(epos.calls.at(-1)!.headers.authorization, basic('dojo', 'new'));
});
