import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFrame, topLevelId } from '../../packages/contract/src/jsonrpc.ts';

test('a frame nested deeper than maxDepth is invalid without being parsed, and keeps its top-level id', () => {
  const deep = `{"jsonrpc":"2.0","result":{"id":"inner","v":${'['.repeat(50)}${']'.repeat(50)}},"id":"7"}`;
  assert.deepEqual(parseFrame(deep, { maxDepth: 32 }), {
    kind: 'invalid', id: '7', reason: 'frame nests objects/arrays deeper than 32 levels (limits.jsonDepth)',
  });
  assert.equal(parseFrame(deep).kind, 'result', 'no limit given: parsed as before');
  assert.deepEqual(parseFrame(`[${'['.repeat(40)}${']'.repeat(40)}]`, { maxDepth: 32 }), {
    kind: 'invalid', reason: 'frame nests objects/arrays deeper than 32 levels (limits.jsonDepth)',
  });
});

test('topLevelId finds only the top-level "id" (string or number), skipping strings and nested objects', () => {
  assert.equal(topLevelId('{"a":{"id":"nested"},"b":"\\"id\\":\\"fake\\"","id":"real"}'), 'real');
  assert.equal(topLevelId('{"id" : 42}'), '42');
  assert.equal(topLevelId('{"method":"id","x":1}'), undefined);
  assert.equal(topLevelId('{"id":null}'), undefined);
  assert.equal(topLevelId('{"id":'), undefined);
});

test('a "jsonrpc" value is quoted cut short in the reason', () => {
  const f = parseFrame(JSON.stringify({ jsonrpc: 'v'.repeat(10_000), id: 'x', result: 1 }));
  assert.equal(f.kind, 'invalid');
  assert.ok(f.kind === 'invalid' && f.reason.length < 100, JSON.stringify(f).slice(0, 200));
});
