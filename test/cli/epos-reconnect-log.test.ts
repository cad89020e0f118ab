// `eposgate epos` while its platform is down: the disconnect is logged once, the refused dials
// fold into sparse "still reconnecting (attempt N)" lines, not a line per attempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnEposgate, stop } from '../helpers/cli.ts';
import { tempDir, testPlatform } from '../helpers/platform.ts';

test('eposgate epos logs a lost platform once, then "still reconnecting" at attempts 2 and 4', async (t) => {
  const p = await testPlatform();
  const { key } = await p.keys.create('acc-reconnect-log', 'sandbox');
  const db = join(tempDir(), 'restaurant.db');
  const { child, output } = await spawnEposgate(['epos', '--transport', 'ws', '--platform', p.url, '--api-key', key, '--db', db], /reference EPOS connected/);
  t.after(() => stop(child));
  await p.destroy();
  const deadline = Date.now() + 10_000;
  while (!/still reconnecting \(attempt 4\)/.test(output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const out = output();
  assert.match(out, /still reconnecting \(attempt 2\)/, out);
  assert.match(out, /still reconnecting \(attempt 4\)/, out);
  assert.doesNotMatch(out, /still reconnecting \(attempt 3\)/, out);
  assert.equal(out.match(/disconnected from the platform/g)?.length, 1, out);
  assert.ok((out.match(/connection error/g)?.length ?? 0) <= 1, `the same refusal is logged once:\n${out}`);
});
