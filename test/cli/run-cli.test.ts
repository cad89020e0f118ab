// runCli: the command line in-process, with its own argv, env, output sinks and exit callback,
// ending as the process would (same output, same exit code) without calling process.exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../packages/eposgate/src/cli/main.ts';
import { eposgate } from '../helpers/cli.ts';

test('help and version print to stdout and exit 0; a refused option value exits 1 on stderr', async (t) => {
  const exit = process.exit;
  process.exit = ((code?: number) => { throw new Error(`process.exit(${code}) called in-process`); }) as typeof process.exit;
  t.after(() => { process.exit = exit; });
  const version = await eposgate(['--version']);
  assert.deepEqual(version, { stdout: '0.1.0\n', stderr: '', code: 0 });
  const help = await eposgate(['keys', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: eposgate keys \[options\] \[command\]/);
  const bad = await eposgate(['serve', '--port', 'eighty']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, `error: option '-p, --port <port>' argument 'eighty' is invalid. "eighty" is not a port number (0-65535)\n`);
  const unknown = await eposgate(['nope']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^error: unknown command 'nope'/);
});

test('the exit callback gets the code once; env is the one given, not the process\'s', async () => {
  const codes: number[] = [];
  let stderr = '';
  const code = await runCli(['epos', '--platform', 'http://127.0.0.1:9'], {
    env: {}, stdout: { write: () => {} }, stderr: { write: (s: string) => { stderr += s; } }, exit: (c) => void codes.push(c),
  });
  assert.equal(code, 2);
  assert.deepEqual(codes, [2]);
  assert.equal(stderr, 'error: --api-key (or $EPOSGATE_API_KEY) is required: create one with `eposgate keys create`\n');
});
