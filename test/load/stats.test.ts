// The load run's arithmetic and option parsing: percentiles, a summary whose counts add up, and
// options that name what is wrong with them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder, latency, percentile } from '../../packages/eposgate/src/load/stats.ts';
import { parseDuration, parseErrorRate, parseRate } from '../../packages/eposgate/src/cli/load.ts';

test('percentiles are nearest-rank over the samples, 0 with none', () => {
  const s = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(s, 50), 50);
  assert.equal(percentile(s, 99), 99);
  assert.equal(percentile(s, 100), 100);
  assert.equal(percentile([], 99), 0);
  assert.deepEqual(latency([5, 1, 3]), { p50: 3, p95: 5, p99: 5, max: 5 });
});

test('a summary counts calls per capability and per error type, journeys per outcome, and keeps at most 5 examples of a broken rule', () => {
  const r = new Recorder();
  r.calls.push(
    { capability: 'GetOrderById', startMs: 10, ms: 4, outcome: 'ok' },
    { capability: 'GetOrderById', startMs: 20, ms: 8, outcome: 'NotFound' },
    { capability: 'RecordOrderPaymentById', startMs: 1500, ms: 30, outcome: 'EPOS_TIMEOUT' },
    { capability: 'RecordOrderPaymentById', startMs: 1600, ms: 2, outcome: 'ok' },
  );
  r.journeys.push({ startMs: 0, ms: 50, outcome: 'ok' }, { startMs: 1400, ms: 300, outcome: 'error' }, { startMs: 1500, ms: 100, outcome: 'check' });
  for (let i = 0; i < 7; i++) r.checkFailed('a replayed paymentIntentId changes nothing', `example ${i}`);
  r.dropped = 3;
  const s = r.summary(2000);
  assert.deepEqual(s.errorsByType, { NotFound: 1, EPOS_TIMEOUT: 1 });
  assert.deepEqual({ ...s.calls, p50: undefined, p95: undefined, p99: undefined, max: undefined }, { total: 4, ok: 2, errors: 2, errorRate: 0.5, perSecond: 2, p50: undefined, p95: undefined, p99: undefined, max: undefined });
  assert.deepEqual(s.capabilities.map((c) => [c.capability, c.calls, c.errors, c.errorsByType]), [['GetOrderById', 2, 1, { NotFound: 1 }], ['RecordOrderPaymentById', 2, 1, { EPOS_TIMEOUT: 1 }]]);
  assert.equal(s.journeys.started, 3);
  assert.deepEqual([s.journeys.ok, s.journeys.errors, s.journeys.checkFailed, s.journeys.dropped], [1, 1, 1, 3]);
  assert.deepEqual(s.checkFailures, [{ rule: 'a replayed paymentIntentId changes nothing', count: 7, examples: ['example 0', 'example 1', 'example 2', 'example 3', 'example 4'] }]);
  assert.equal(s.timeline.reduce((t, p) => t + p.calls, 0), 4);
  assert.equal(s.timeline.reduce((t, p) => t + p.journeys, 0), 3);
  assert.equal(s.timeline[0]!.calls, 2, 'the first calls fall in the first bucket');
});

test('--rate, --duration and --max-error-rate read the usual spellings and name a bad value', () => {
  assert.equal(parseRate('50/s'), 50);
  assert.equal(parseRate('600/min'), 10);
  assert.equal(parseRate('12'), 12);
  assert.throws(() => parseRate('fast'), /"fast" is not a rate: .*50\/s/);
  assert.throws(() => parseRate('0/s'), /not a rate/);
  assert.equal(parseDuration('60s'), 60_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('3'), 3000);
  assert.throws(() => parseDuration('1h'), /"1h" is not a duration/);
  assert.equal(parseErrorRate('1%'), 0.01);
  assert.equal(parseErrorRate('0.05'), 0.05);
  assert.throws(() => parseErrorRate('150%'), /"150%" is not an error rate/);
});
