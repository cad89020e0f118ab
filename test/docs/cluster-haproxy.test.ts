// The HAProxy config docs/cluster.md shows is deploy/haproxy.cfg, the file the rolling restart
// test runs, setting for setting (the file adds comments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

const settings = (text: string) => text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

test('docs/cluster.md shows deploy/haproxy.cfg as it is', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'cluster.md'), 'utf8');
  const block = doc.match(/```haproxy\n([\s\S]*?)```/);
  assert.ok(block, 'a ```haproxy block in docs/cluster.md');
  assert.deepEqual(settings(block[1]!), settings(readFileSync(join(ROOT, 'deploy', 'haproxy.cfg'), 'utf8')));
});
