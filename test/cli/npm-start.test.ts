// `npm start -- --port N` and `PORT=N npm start` both bring the demo up on port N, and the second
// start on the same data dir reuses the demo key of the first instead of making another.
// test: long
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { KeyService } from '../../packages/eposgate/src/platform/auth/keys.ts';
import { SqliteStore } from '../../packages/eposgate/src/platform/store/sqlite/index.ts';
import { DEMO_ACCOUNT } from '../../packages/eposgate/src/cli/demo.ts';
import { ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/platform.ts';
import { freePort, stopGroup } from '../helpers/processGroup.ts';

/** Runs `npm start ARGS` in its own process group (npm, sh, node) until the demo prints Ready. */
function npmStart(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; output: string }> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'PORT'));
    const child = spawn('npm', ['start', ...args], { cwd: ROOT, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const timer = setTimeout(() => { void stopGroup(child).catch(() => {}); reject(new Error(`not ready after 30 s:\n${out}`)); }, 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/^Ready\.$/m.test(out)) { clearTimeout(timer); resolve({ child, output: out }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`npm start exited with ${code} before ready:\n${out}`)); });
  });
}

function keyIn(output: string): string {
  const m = /Sandbox API key \(account [^)]+\):\n(sk_sandbox_\S+)\n/.exec(output);
  assert.ok(m, output);
  return m[1]!;
}

test('npm start -- --port N, PORT=N npm start and npm start --port N all listen on N; later starts reuse the demo key', async (t) => {
  const data = tempDir();
  t.after(() => rmSync(data, { recursive: true, force: true }));

  const p1 = await freePort();
  const first = await npmStart(['--', '--port', String(p1), '--data', data]);
  await stopGroup(first.child);
  assert.match(first.output, new RegExp(`eposgate demo is running on http://127\\.0\\.0\\.1:${p1}\\n`));
  assert.match(first.output, new RegExp(`\\nWeb console: http://127\\.0\\.0\\.1:${p1}/console\\n`), 'the console URL is printed');

  const p2 = await freePort();
  const second = await npmStart(['--', '--data', data], { PORT: String(p2) });
  t.after(() => stopGroup(second.child));
  assert.match(second.output, new RegExp(`eposgate demo is running on http://127\\.0\\.0\\.1:${p2}\\n`));
  const res = await fetch(`http://127.0.0.1:${p2}/epos/data/v1/orders/ord_0001`, { headers: { authorization: `Basic ${keyIn(second.output)}`, 'software-house-id': 'npm-start-test' } });
  assert.equal(res.status, 200, await res.text());
  await stopGroup(second.child);

  assert.equal(keyIn(second.output), keyIn(first.output), 'the demo key is reused');

  // Without --, npm keeps --port for itself and passes the number alone: that works too.
  const p3 = await freePort();
  const third = await npmStart(['--port', String(p3), '--', '--data', data]);
  await stopGroup(third.child);
  assert.match(third.output, new RegExp(`eposgate demo is running on http://127\\.0\\.0\\.1:${p3}\\n`));
  assert.equal(keyIn(third.output), keyIn(first.output));
  const store = new SqliteStore(data);
  try {
    const active = (await new KeyService(store.keys).list(DEMO_ACCOUNT)).filter((k) => !k.revokedAt);
    assert.equal(active.length, 1, 'one active demo key after two starts');
  } finally {
    await store.close();
  }
});
