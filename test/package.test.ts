// What a vendor gets from the package: `eposgate/sdk`, `eposgate/contract` and `eposgate` resolve to
// the compiled dist/ (built by `npm ci` through `prepare`), and the compiled CLI runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers/cli.ts';

test('the package exports resolve to the compiled build', async () => {
  const sdk = await import('eposgate/sdk');
  assert.equal(typeof sdk.defineEpos, 'function');
  assert.equal(typeof sdk.connect, 'function');
  const contract = await import('eposgate/contract');
  assert.ok(contract.CAPABILITIES.some((c: { name: string }) => c.name === 'GetOrderById'));
  const platform = await import('eposgate');
  assert.equal(typeof platform.startPlatform, 'function');
  assert.match(import.meta.resolve('eposgate/sdk'), /\/dist\/sdk\/index\.js$/);
});

test('the compiled CLI runs without tsx', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'dist/cli/main.js'), '--help']);
  assert.match(stdout, /serve/);
  assert.match(stdout, /keys/);
});
