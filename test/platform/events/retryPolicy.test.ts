import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlatformError } from '../../../packages/eposgate/src/platform/errors.ts';
import { backoffMs, judge } from '../../../packages/eposgate/src/platform/events/retryPolicy.ts';

const policy = { baseMs: 500, maxMs: 300_000, maxAttempts: 20 };

test('the delay doubles from the base, stays in the upper half of each step, and never passes the ceiling', () => {
  assert.equal(backoffMs(policy, 1, () => 0), 250);
  assert.equal(backoffMs(policy, 1, () => 1), 500);
  assert.equal(backoffMs(policy, 4, () => 1), 4000);
  assert.equal(backoffMs(policy, 4, () => 0), 2000);
  assert.equal(backoffMs(policy, 30, () => 1), 300_000);
  assert.equal(backoffMs(policy, 1000, () => 0), 150_000);
});

test('which failures are retried, waited out, handed off, skipped or dead-lettered at once', () => {
  const v = (code: ConstructorParameters<typeof PlatformError>[0], extra?: Record<string, unknown>) => judge(new PlatformError(code, 'x', extra ? { extra } : {})).kind;
  for (const code of ['EPOS_TIMEOUT', 'EPOS_UNREACHABLE', 'EPOS_BAD_RESPONSE', 'CONTRACT_VIOLATION', 'INTERNAL'] as const) assert.equal(v(code), 'retry', code);
  assert.equal(v('EPOS_ERROR', { eposError: { errorType: 'UnexpectedError' } }), 'retry');
  assert.equal(v('EPOS_ERROR', { eposError: { errorType: 'Conflict' } }), 'retry');
  assert.equal(v('EPOS_ERROR', { eposError: { errorType: 'InvalidRequest' } }), 'fail');
  assert.equal(v('EPOS_NOT_CONNECTED'), 'wait');
  assert.equal(v('CAPABILITY_NOT_REGISTERED'), 'skip');
  assert.equal(v('VALIDATION_FAILED'), 'fail');
  assert.equal(v('CALL_CANCELLED'), 'requeue');
  assert.equal(v('PLATFORM_STOPPING'), 'requeue');
  assert.equal(v('CLUSTER_UNAVAILABLE'), 'handOff', 'this node lost the bus: not an attempt, any node may take it');
  assert.equal(judge(new Error('boom')).kind, 'retry');
});
