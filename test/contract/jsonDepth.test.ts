import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonDeeperThan } from '../../packages/contract/src/jsonDepth.ts';

test('nesting at the limit passes and one level more is refused', () => {
  const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.equal(jsonDeeperThan(nest(32), 32), false);
  assert.equal(jsonDeeperThan(nest(33), 32), true);
  assert.equal(jsonDeeperThan('{"a":{"b":[{"c":1}]}}', 3), true);
  assert.equal(jsonDeeperThan('{"a":{"b":[{"c":1}]}}', 4), false);
});

test('brackets inside strings, escaped quotes included, do not count', () => {
  assert.equal(jsonDeeperThan(JSON.stringify({ s: '[[[[[[{{{{{' }), 1), false);
  assert.equal(jsonDeeperThan(JSON.stringify({ s: 'a\\"[[[[["' }), 1), false);
  assert.equal(jsonDeeperThan(JSON.stringify({ s: '\\', t: [[1]] }), 2), true);
});

test('a hostile 1 MB of open brackets is refused without parsing', () => {
  assert.equal(jsonDeeperThan('['.repeat(1024 * 1024), 32), true);
});
