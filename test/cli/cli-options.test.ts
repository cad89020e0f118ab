// The port a command listens on, with npm's own handling of --port, and the demo key kept in the data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePort } from '../../packages/eposgate/src/cli/options.ts';
import { DEMO_ACCOUNT, DEMO_KEY_FILE, demoKey } from '../../packages/eposgate/src/cli/demo.ts';
import { testPlatform } from '../helpers/platform.ts';

const NPM = { npm_lifecycle_event: 'start' };

test('--port wins, then npm --port=N, then $PORT, then 8080', () => {
  assert.equal(resolvePort(9001, [], { PORT: '9002', ...NPM, npm_config_port: '9003' }), 9001);
  assert.equal(resolvePort(undefined, [], { PORT: '9002', ...NPM, npm_config_port: '9003' }), 9003);
  assert.equal(resolvePort(undefined, [], { PORT: '9002' }), 9002);
  assert.equal(resolvePort(undefined, [], {}), 8080);
  assert.equal(resolvePort(undefined, [], { npm_config_port: '9003' }), 8080, 'npm config counts only under an npm script');
});

test('npm start --port N (npm keeps --port, passes N alone) listens on N', () => {
  assert.equal(resolvePort(undefined, ['18001'], { ...NPM, npm_config_port: 'true' }), 18001);
});

test('a stray argument is refused by name, with the npm -- hint under npm', () => {
  assert.throws(() => resolvePort(undefined, ['x', 'y'], {}), /^InvalidArgumentError: unexpected arguments x y$/);
  assert.throws(() => resolvePort(undefined, ['extra'], NPM), { message: 'unexpected argument extra: with npm, pass options after --, e.g. npm start -- --port 18001' });
  assert.throws(() => resolvePort(undefined, [], { PORT: 'eighty' }), { message: 'PORT=eighty is not a port number (0-65535)' });
  assert.throws(() => resolvePort(undefined, ['99999'], { ...NPM, npm_config_port: 'true' }), { message: '"99999" is not a port number (0-65535)' });
});

test('the demo key is kept in DATA/demo.key (0600) and reused; --new-key revokes it and makes a fresh one', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const first = await demoKey(p.keys, p.dataDir);
  assert.equal(first.reused, false);
  const file = join(p.dataDir, DEMO_KEY_FILE);
  assert.equal(readFileSync(file, 'utf8'), `${first.key}\n`);
  assert.equal(statSync(file).mode & 0o777, 0o600);

  const again = await demoKey(p.keys, p.dataDir);
  assert.deepEqual(again, { key: first.key, reused: true });

  const fresh = await demoKey(p.keys, p.dataDir, { newKey: true });
  assert.notEqual(fresh.key, first.key);
  assert.equal(readFileSync(file, 'utf8'), `${fresh.key}\n`);
  const keys = await p.keys.list(DEMO_ACCOUNT);
  assert.deepEqual(keys.filter((k) => !k.revokedAt).length, 1, 'only the fresh key is active');
  const old = await fetch(`${p.url}/epos/integrations`, { headers: { authorization: `Basic ${first.key}`, 'software-house-id': 's' } });
  assert.equal(old.status, 401);

  // A demo key revoked by hand (`keys revoke`) is replaced on the next start, not reused.
  await p.keys.revoke(keys.find((k) => !k.revokedAt)!.id);
  const replaced = await demoKey(p.keys, p.dataDir);
  assert.equal(replaced.reused, false);
  assert.notEqual(replaced.key, fresh.key);
});

test('a key given with --api-key is used as it is and not written to the data dir', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const given = 'sk_sandbox_givenKeyForTheTests_0123';
  assert.deepEqual(await demoKey(p.keys, p.dataDir, { apiKey: given }), { key: given, reused: false });
  assert.throws(() => statSync(join(p.dataDir, DEMO_KEY_FILE)), { code: 'ENOENT' });
});
