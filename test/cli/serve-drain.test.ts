// `eposgate serve` (the compiled CLI: `npm run build` first) under SIGTERM: it drains, answering
// the call in flight, and exits 0; a second signal exits at once without waiting for the drain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { connect, defineEpos, register, type DisconnectInfo } from '../../packages/sdk/src/index.ts';
import { api, tempDir } from '../helpers/platform.ts';
import { eposgate, spawnEposgate } from '../helpers/cli.ts';

const SHID = 'drain-till';

/** A key made by the CLI, `serve` started on it, and an EPOS whose ListAreas takes `handlerMs`. */
async function servedEpos(t: { after(fn: () => Promise<void> | void): void }, handlerMs: number, args: string[] = []) {
  const data = tempDir('eposgate-drain-');
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const created = await eposgate(['keys', 'create', '--data', data, '--account', 'acc-drain', '--env', 'sandbox']);
  assert.equal(created.code, 0, created.stderr);
  const key = created.stdout.trim().split('\n').at(-1)!;
  const { child, match } = await spawnEposgate(['serve', '--data', data, '--port', '0', '--log-level', 'warn', ...args], /listening on (http:\/\/\S+)/);
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const url = match[1]!;
  const epos = defineEpos({ ListAreas: async () => { await new Promise((r) => setTimeout(r, handlerMs).unref()); return [{ id: 'a1', name: 'Room' }]; } });
  await register(epos, { platformUrl: url, apiKey: key, softwareHouseId: SHID, transport: 'ws' });
  const conn = connect(epos, { url: url.replace(/^http/, 'ws') + '/epos', apiKey: key, softwareHouseId: SHID, reconnect: false, drainTimeoutMs: 100 });
  conn.on('error', () => {});
  t.after(() => conn.close());
  await once(conn, 'connect');
  return { child, url, key, conn };
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('eposgate serve on SIGTERM answers the call in flight, closes the EPOS socket with 1012 and exits 0', async (t) => {
  const { child, url, key, conn } = await servedEpos(t, 300);
  const codes: number[] = [];
  conn.on('disconnect', (d: DisconnectInfo) => codes.push(d.code));
  const inFlight = api(url, 'GET', '/epos/data/v1/areas', { key, softwareHouseId: SHID });
  await until(() => conn.inFlight === 1, 'the call to reach the handler');
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGTERM');
  const res = await inFlight;
  assert.equal(res.status, 200, res.text);
  const [code, signal] = await exited;
  assert.equal(signal, null);
  assert.equal(code, 0);
  assert.deepEqual(codes, [1012]);
});

test('eposgate serve: a second signal during the drain exits at once', async (t) => {
  const { child, url, key, conn } = await servedEpos(t, 20_000, ['--drain-deadline', '30000']);
  const inFlight = api(url, 'GET', '/epos/data/v1/areas', { key, softwareHouseId: SHID }).catch(() => undefined);
  await until(() => conn.inFlight === 1, 'the call to reach the handler');
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(child.exitCode, null, 'still draining after the first signal');
  const t0 = Date.now();
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 143);
  assert.ok(Date.now() - t0 < 2000);
  await inFlight;
});
