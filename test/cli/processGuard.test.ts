import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const script = fileURLToPath(new URL('../fixtures/guarded-process.ts', import.meta.url));

test('with the process guard, an unhandled rejection and an uncaught exception are logged as "unexpected error" and the process keeps running', () => {
  const r = spawnSync(process.execPath, ['--conditions=eposgate-source', '--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'still serving\n');
  const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } });
  assert.deepEqual(lines.map((l) => [l.level, l.msg]), [[50, 'unexpected error'], [50, 'unexpected error']]);
  assert.deepEqual(lines.map((l) => l.err?.message).sort(), ['a timer that throws', 'nobody listens to this rejection']);
});

test('without the guard the same rejection ends the process (the guard is what keeps it up)', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    "void Promise.reject(new Error('x')); setTimeout(() => process.stdout.write('still serving\\n'), 200);"], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, '');
});
