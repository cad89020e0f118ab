// `eposgate load` against the reference EPOS at a small rate: over WS through a test platform, and
// over REST through the CLI's in-process platform (--epos-url), with every report written. The
// numbers must add up, and a semantic failure (a replayed payment counted twice) must be counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';
import { connect, register } from '../../packages/sdk/src/index.ts';
import { platformCaller } from '../../packages/eposgate/src/load/caller.ts';
import { runLoad, type LoadReport } from '../../packages/eposgate/src/load/run.ts';
import { testPlatform, tempDir } from '../helpers/platform.ts';
import { eposgate } from '../helpers/cli.ts';
import { PASS, USER, doubleCountsReplays, startRestEpos } from './helpers.ts';

/** Counts add up and percentiles are ordered, in the whole run and per capability. */
function assertConsistent(r: LoadReport): void {
  const s = r.summary;
  const j = s.journeys;
  assert.equal(j.ok + j.errors + j.checkFailed, j.started, 'every journey ended one way');
  assert.equal(s.calls.ok + s.calls.errors, s.calls.total);
  assert.equal(s.capabilities.reduce((t, c) => t + c.calls, 0), s.calls.total, 'capability calls sum to all calls');
  assert.equal(s.capabilities.reduce((t, c) => t + c.errors, 0), s.calls.errors);
  assert.equal(Object.values(s.errorsByType).reduce((t, n) => t + n, 0), s.calls.errors, 'errors by type sum to the errors');
  assert.equal(s.timeline.reduce((t, p) => t + p.calls, 0), s.calls.total, 'the timeline holds every call');
  assert.equal(s.timeline.reduce((t, p) => t + p.errors, 0), s.calls.errors);
  assert.equal(s.timeline.reduce((t, p) => t + p.journeys, 0), j.started);
  for (const l of [s.calls, j, ...s.capabilities]) {
    assert.ok(l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max, `percentiles ordered: ${JSON.stringify(l)}`);
    assert.ok(l.p50 > 0, 'latencies were measured');
  }
  for (const c of s.capabilities) assert.equal(c.ok + c.errors, c.calls);
}

test('pay-at-table with locks and order-and-pay over WS through a platform: every journey succeeds, every check holds, and the numbers add up', async () => {
  const p = await testPlatform();
  const ref = createReferenceEpos({ dbPath: ':memory:' });
  const { key } = await p.keys.create('load-ws', 'sandbox');
  await register(ref.epos, { platformUrl: p.url, apiKey: key, softwareHouseId: 'load-test', transport: 'ws' });
  const conn = connect(ref.epos, { url: p.url.replace(/^http/, 'ws') + '/epos', apiKey: key, softwareHouseId: 'load-test', reconnect: { minMs: 20, maxMs: 100 } });
  conn.on('error', () => {});
  const caller = platformCaller({ base: p.url, apiKey: key, softwareHouseId: 'load-test', connections: 10, timeoutMs: 10_000 });
  try {
    const registered = new Set(ref.epos.capabilities.map((c) => c.name));
    const progress: number[] = [];
    const locked = await runLoad({ caller, registered, journey: 'pay-at-table', locks: true, terminals: 10, ratePerSecond: 20, durationMs: 1000, maxErrorRate: 0.01, onProgress: (x) => progress.push(x.calls), progressEveryMs: 100 });
    assertConsistent(locked);
    assert.deepEqual(locked.failures, []);
    assert.equal(locked.passed, true);
    assert.equal(locked.summary.journeys.started + locked.summary.journeys.dropped, 20, '20 arrivals at 20/s for 1 s');
    assert.equal(locked.summary.journeys.ok, locked.summary.journeys.started);
    const caps = Object.fromEntries(locked.summary.capabilities.map((c) => [c.capability, c.calls]));
    const n = locked.summary.journeys.started;
    // Each journey: create, search, read, bill, lock, pay, extend, replay, pay, release.
    assert.deepEqual(caps, { CreateOrder: n, SearchOrders: n, GetOrderById: n, GetOrderBillById: n, CreateOrderLock: n, RecordOrderPaymentById: 3 * n, ExtendOrderLock: n, DeleteOrderLock: n });
    assert.ok(progress.length >= 3 && progress.at(-1) === locked.summary.calls.total, 'progress was reported while it ran and at the end');

    const oap = await runLoad({ caller, registered, journey: 'order-and-pay', locks: false, terminals: 5, ratePerSecond: 15, durationMs: 600, maxErrorRate: 0.01 });
    assertConsistent(oap);
    assert.equal(oap.passed, true, oap.failures.join('; '));
    assert.deepEqual(oap.summary.checkFailures, []);
  } finally {
    await caller.close();
    await conn.close();
    await p.destroy();
    ref.close();
  }
});

test('eposgate load --epos-url runs bookings against a REST EPOS, exits 0 and writes JSON, JUnit and HTML reports that agree', async () => {
  const epos = await startRestEpos();
  const dir = tempDir('eposgate-load-');
  try {
    const files = { json: join(dir, 'r.json'), junit: join(dir, 'r.xml'), html: join(dir, 'r.html') };
    const r = await eposgate(['load', '--epos-url', epos.url, '--username', USER, '--password', PASS, '--journey', 'bookings', '--terminals', '8', '--rate', '10/s', '--duration', '800ms',
      '--json', files.json, '--junit', files.junit, '--html', files.html]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /journeys: 8 run in [\d.]+s \([\d.]+\/s\): 8 ok/);
    assert.match(r.stdout, /^[\d.]+s\/0\.8s  journeys 8 done, 0 running  calls \d+, errors 0 \(0\.00%\)  checks failed 0  p99 [\d.]+ ms$/m, 'the last progress line');
    assert.match(r.stdout, /CreateReservation\s+\d+/);
    assert.match(r.stdout, /PASSED/);
    const report = JSON.parse(readFileSync(files.json, 'utf8')) as LoadReport & { target: string };
    assertConsistent(report);
    assert.equal(report.journey, 'bookings');
    assert.match(report.target, /REST EPOS/);
    const caps = report.summary.capabilities.map((c) => c.capability).sort();
    assert.deepEqual(caps, ['CreateParty', 'CreateReservation', 'DeletePartyById', 'DeleteReservationById', 'GetPartyById', 'GetReservationById']);
    const junit = readFileSync(files.junit, 'utf8');
    assert.match(junit, /<testsuite name="eposgate load" tests="\d+" failures="0"/);
    const html = readFileSync(files.html, 'utf8');
    assert.match(html, /<svg[^>]*>.*class="line p99"/s, 'a latency chart');
    assert.match(html, /class="ok"/, 'a throughput chart');
    assert.doesNotMatch(html, /<script|https?:\/\/(?!127\.0\.0\.1)/, 'no script and no outside resource');
  } finally {
    await epos.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an EPOS that counts a replayed payment twice fails the load run: the broken rule is counted in the summary, the JSON and the JUnit report, exit 1', async () => {
  const epos = await startRestEpos(doubleCountsReplays);
  const dir = tempDir('eposgate-load-');
  try {
    const json = join(dir, 'r.json');
    const junit = join(dir, 'r.xml');
    const r = await eposgate(['load', '--epos-url', epos.url, '--username', USER, '--password', PASS, '--capabilities', 'CreateOrder,SearchOrders,GetOrderById,RecordOrderPaymentById,SearchTables',
      '--journey', 'pay-at-table', '--terminals', '5', '--rate', '10/s', '--duration', '500ms', '--json', json, '--junit', junit]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /\d+× a replayed paymentIntentId changes nothing/);
    assert.match(r.stdout, /FAILED: .*\d+ semantic checks? failed/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as LoadReport;
    assertConsistent(report);
    const n = report.summary.journeys.started;
    assert.ok(n >= 4);
    const replay = report.summary.checkFailures.find((c) => c.rule === 'a replayed paymentIntentId changes nothing');
    assert.equal(replay?.count, n, 'every journey saw its replay counted again');
    assert.match(replay!.examples[0]!, /moved paidAmount \d+ → \d+/);
    assert.equal(report.summary.journeys.checkFailed, n);
    // The double-counted replay leaves less to pay than the terminal pays next: the EPOS refuses the rest.
    assert.deepEqual(report.summary.errorsByType, { InvalidRequest: n });
    assert.equal(report.passed, false);
    assert.match(readFileSync(junit, 'utf8'), /<testcase classname="load.pay-at-table.checks" name="a replayed paymentIntentId changes nothing" time="0"><failure/);
  } finally {
    await epos.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a journey whose capabilities the EPOS did not register is refused before any call, naming them, exit 2', async () => {
  const epos = await startRestEpos();
  try {
    const r = await eposgate(['load', '--epos-url', epos.url, '--username', USER, '--password', PASS, '--capabilities', 'SearchOrders,GetOrderById', '--journey', 'order-and-pay', '--duration', '1s']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /error: the order-and-pay journey needs CreateOrder, RecordOrderPaymentById, which the EPOS has not registered/);
    assert.doesNotMatch(r.stdout, /journeys: /);
  } finally {
    await epos.close();
  }
});

test('without CreateOrder each pay-at-table journey pays a payable order no other journey took; once none is left the rest are counted as "could not run" and the run fails', async () => {
  const epos = await startRestEpos();
  const dir = tempDir('eposgate-load-');
  try {
    const json = join(dir, 'r.json');
    const r = await eposgate(['load', '--epos-url', epos.url, '--username', USER, '--password', PASS, '--capabilities', 'SearchOrders,GetOrderById,RecordOrderPaymentById',
      // As many terminals as arrivals: none is dropped however slow the machine, so the ~26 seeded payable orders run out.
      '--journey', 'pay-at-table', '--terminals', '60', '--rate', '60/s', '--duration', '1s', '--json', json]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8')) as LoadReport;
    assertConsistent(report);
    const j = report.summary.journeys;
    assert.equal(j.dropped, 0);
    assert.ok(j.ok >= 20 && j.ok < 60, `the seeded payable orders were paid: ${j.ok}`);
    assert.ok(j.noData > 0 && j.ok + j.noData === j.started, 'every other journey found no order of its own');
    assert.deepEqual(report.summary.checkFailures, [], 'no order was paid twice');
    assert.equal(report.summary.calls.errors, 0);
    assert.match(report.failures.join('\n'), /^\d+ journeys could not run: no payable order left to pay \(register CreateOrder, or run fewer journeys\)$/m);
  } finally {
    await epos.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
