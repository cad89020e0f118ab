import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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

test('the verdict is the parsed value\'s true depth, whether the count of brackets settles it or the scan does', () => {
  const depth = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0);
  fc.assert(fc.property(fc.json({ depthSize: 'large' }), fc.integer({ min: 0, max: 12 }), (text, max) => {
    assert.equal(jsonDeeperThan(text, max), depth(JSON.parse(text)) > max, `${text} at ${max}`);
  }), { numRuns: 2000 });
});
