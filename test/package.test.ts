// What a vendor gets from the packages: `eposgate/sdk`, `eposgate/contract`, `eposgate` and the
// @eposgate packages resolve to the compiled dist/ (built by `npm ci` through `prepare`), and the
// compiled CLI runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers/cli.ts';

// A plain `node`, as a vendor runs: this test process resolves the packages to their sources
// (--conditions=eposgate-source), so the check runs in a child without that condition.
const PROBE = `
const sdk = await import('eposgate/sdk');
const contract = await import('eposgate/contract');
const platform = await import('eposgate');
const own = await import('@eposgate/sdk');
console.log(JSON.stringify({
  sdk: [typeof sdk.defineEpos, typeof sdk.connect, sdk.defineEpos === own.defineEpos],
  contract: contract.CAPABILITIES.some((c) => c.name === 'GetOrderById'),
  platform: typeof platform.startPlatform,
  resolved: [import.meta.resolve('eposgate/sdk'), import.meta.resolve('@eposgate/sdk'), import.meta.resolve('@eposgate/contract')],
}));`;

test('the package exports resolve to the compiled build', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PROBE], { cwd: ROOT });
  const seen = JSON.parse(stdout) as { sdk: unknown[]; contract: boolean; platform: string; resolved: string[] };
  assert.deepEqual(seen.sdk, ['function', 'function', true], 'eposgate/sdk re-exports @eposgate/sdk');
  assert.equal(seen.contract, true);
  assert.equal(seen.platform, 'function');
  assert.match(seen.resolved[0], /\/packages\/eposgate\/dist\/sdk\.js$/);
  assert.match(seen.resolved[1], /\/packages\/sdk\/dist\/index\.js$/);
  assert.match(seen.resolved[2], /\/packages\/contract\/dist\/index\.js$/);
});

test('the compiled CLI runs without tsx', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'packages/eposgate/dist/cli/main.js'), '--help']);
  assert.match(stdout, /serve/);
  assert.match(stdout, /keys/);
});
