// Call ids (calllog/ids.ts): the call's start time, a per-process part and a 48-bit counter whose
// low 12 bits come from a table; ids stay unique and well formed across the table's wrap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callIdTime, newCallId } from '../../packages/eposgate/src/platform/calllog/ids.ts';

test('ids are unique, carry their time and have one shape, across many wraps of the counter\'s low digits', () => {
  const at = Date.UTC(2026, 10, 28, 2);
  const seen = new Set<string>();
  let prev: bigint | undefined;
  for (let i = 0; i < 20_000; i++) {
    const id = newCallId(at + (i % 3));
    assert.match(id, /^call_[0-9a-z]{9}[0-9a-f]{20}$/);
    assert.equal(callIdTime(id), at + (i % 3));
    seen.add(id);
    // The counter (the last 12 hex digits) goes up by one per id, carrying into its high part.
    const n = BigInt(`0x${id.slice(-12)}`);
    if (prev !== undefined) assert.equal(n, (prev + 1n) % 2n ** 48n, id);
    prev = n;
  }
  assert.equal(seen.size, 20_000);
  assert.equal(callIdTime('call_zzz'), undefined);
});
