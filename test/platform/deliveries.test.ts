// Event deliveries (GET/POST /epos/events/deliveries…): the attempt log, filters and paging, resend,
// replay, the pause of a failing EPOS and its resume, over a real platform and a real WebSocket EPOS.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { api } from '../helpers/platform.ts';
import { testCluster, type ClusterNode } from '../helpers/cluster.ts';
import { createReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';
import { attachWs } from './tester/helpers.ts';
import { CREATED, FAST, delivered, key, ok, payment, platform, raise, registerWs, until, wsEpos, type Answer } from './events/helpers.ts';

const PATH = '/epos/events/deliveries';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const refuse = (errorType: string): Answer => (f) => ({ jsonrpc: '2.0', id: f.id, error: { errorType, debugMessage: 'test says no' } });
/** An EPOS that answers `no` while `state.failing` is set, else accepts. */
const switchable = (state: { failing: boolean }, no: Answer): Answer => (f, n) => (state.failing ? no(f, n) : ok(f, n));

const get = (p: { url: string }, k: string, path: string) => api(p.url, 'GET', path, { key: k });
const post = (p: { url: string }, k: string, path: string, body?: unknown) => api(p.url, 'POST', path, { key: k, ...(body !== undefined ? { body } : {}) });

async function statusOf(p: { url: string }, k: string, id: string): Promise<string> {
  return (await get(p, k, `${PATH}/${id}`)).body.status;
}

test('every attempt is logged: an EPOS that fails twice then accepts shows three attempts, newest first', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  const epos = await wsEpos(p, k, (f, n) => (n <= 2 ? refuse('UnexpectedError')(f, n) : ok(f, n)));
  t.after(() => epos.close());

  const raised = await raise(p, k, { event: 'payment_intent.created', data: payment('pi_9'), id: 'evt-flaky' });
  assert.equal(raised.status, 202, raised.text);
  await delivered(p, k, 'evt-flaky', 5000);
  const res = await get(p, k, `${PATH}/evt-flaky`);
  assert.equal(res.status, 200, res.text);
  const d = res.body;
  assert.equal(d.id, 'evt-flaky');
  assert.equal(d.type, 'payment_intent.created');
  assert.equal(d.status, 'delivered');
  assert.equal(d.attempts, 3);
  assert.equal(d.createdAt, raised.body.createdAt);
  assert.match(d.deliveredAt, ISO);
  assert.equal(d.nextAttemptAt, undefined, 'only a pending delivery has a next attempt');
  const { delivery: _d, ...event } = raised.body;
  assert.deepEqual(d.event, event, 'the Event as the EPOS got it');
  assert.deepEqual(d.attemptLog.map((a: { outcome: string }) => a.outcome), ['delivered', 'failed', 'failed']);
  for (const a of d.attemptLog) {
    assert.equal(a.transport, 'ws');
    assert.equal(a.node, p.bus.nodeId);
    assert.match(a.at, ISO);
    assert.ok(Number.isInteger(a.latencyMs) && a.latencyMs >= 0, `latency ${a.latencyMs}`);
  }
  assert.deepEqual(d.attemptLog[1].error, { code: 'EPOS_ERROR', message: d.attemptLog[1].error.message });
  assert.match(d.attemptLog[1].error.message, /test says no|UnexpectedError/);
  assert.equal(d.attemptLog[0].error, undefined);
  assert.ok(d.attemptLog[0].at >= d.attemptLog[1].at && d.attemptLog[1].at >= d.attemptLog[2].at, 'newest first');
});

test('the reference EPOS over the SDK socket: two refusals then a delivery are logged; a resend reaches it again and is acknowledged', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-ref');
  const ref = createReferenceEpos({ dbPath: ':memory:', faults: 'HandleEvent:error=UnexpectedError#2' });
  const conn = await attachWs(p, k, ref.epos);
  t.after(async () => { await conn.close(); ref.close(); });

  await raise(p, k, { event: 'payment_intent.status_updated', data: payment('pi_ref', 'Captured'), id: 'evt-ref' });
  await delivered(p, k, 'evt-ref', 5000);
  const first = (await get(p, k, `${PATH}/evt-ref`)).body;
  assert.deepEqual(first.attemptLog.map((a: { outcome: string; error?: { code: string } }) => [a.outcome, a.error?.code]),
    [['delivered', undefined], ['failed', 'EPOS_ERROR'], ['failed', 'EPOS_ERROR']]);
  assert.equal(first.attempts, 3);

  const resent = await post(p, k, `${PATH}/evt-ref/resend`);
  assert.equal(resent.status, 202, resent.text);
  const again = await until(async () => {
    const d = (await get(p, k, `${PATH}/evt-ref`)).body;
    return d.status === 'delivered' && d.attemptLog.length === 4 ? d : undefined;
  }, 5000, 'the resend delivered');
  assert.equal(again.attemptLog[0].outcome, 'delivered', 'the EPOS acknowledged the same id again');
  assert.equal(again.attemptLog[0].transport, 'ws');
});

test('the list is newest first with its pause, filtered by status, type and raise time, and pages with nextCursor', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  await registerWs(p, k, [CREATED]); // status_updated events are skipped (not registered)
  const epos = await wsEpos(p, k);
  t.after(() => epos.close());
  const ids: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const type = i % 2 ? 'payment_intent.created' : 'payment_intent.status_updated';
    const r = await raise(p, k, { event: type, data: payment(`pi_${i}`, 'Captured'), id: `evt-${i}` });
    assert.equal(r.status, 202, r.text);
    ids.push(`evt-${i}`);
  }
  for (const id of ['evt-1', 'evt-3', 'evt-5']) await delivered(p, k, id);

  const all = await get(p, k, PATH);
  assert.equal(all.status, 200, all.text);
  assert.equal(all.body.paused, null);
  assert.equal(all.body.nextCursor, undefined, 'everything fit');
  assert.deepEqual(all.body.deliveries.map((d: { id: string }) => d.id), [...ids].reverse());
  assert.deepEqual(all.body.deliveries.map((d: { status: string }) => d.status), ['delivered', 'skipped', 'delivered', 'skipped', 'delivered']);
  assert.equal(all.body.deliveries[1].reason, 'not-registered');

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await get(p, k, `${PATH}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(page.status, 200, page.text);
    assert.ok(page.body.deliveries.length <= 2);
    seen.push(...page.body.deliveries.map((d: { id: string }) => d.id));
    cursor = page.body.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  assert.equal(pages, 3);
  assert.deepEqual(seen, [...ids].reverse(), 'pages add up to the whole list, once each');

  const skipped = await get(p, k, `${PATH}?status=skipped`);
  assert.deepEqual(skipped.body.deliveries.map((d: { id: string }) => d.id), ['evt-4', 'evt-2']);
  const created = await get(p, k, `${PATH}?type=payment_intent.created&status=delivered`);
  assert.deepEqual(created.body.deliveries.map((d: { id: string }) => d.id), ['evt-5', 'evt-3', 'evt-1']);
  const first = all.body.deliveries.at(-1).createdAt as string;
  const last = all.body.deliveries[0].createdAt as string;
  const fromFirst = await get(p, k, `${PATH}?from=${encodeURIComponent(first)}`);
  assert.equal(fromFirst.body.deliveries.length, 5, 'from is inclusive');
  const toLast = await get(p, k, `${PATH}?to=${encodeURIComponent(last)}`);
  assert.ok(!toLast.body.deliveries.some((d: { id: string }) => d.id === 'evt-5'), 'to is exclusive');
  const later = new Date(Date.parse(last) + 3_600_000).toISOString();
  assert.deepEqual((await get(p, k, `${PATH}?from=${encodeURIComponent(later)}`)).body.deliveries, []);
  const blank = await get(p, k, `${PATH}?type=&status=&from=&to=&cursor=&limit=`);
  assert.equal(blank.status, 200, `empty fields are no filter: ${blank.text}`);
  assert.equal(blank.body.deliveries.length, 5);
});

test('resending a delivered event queues it as the newest and the EPOS gets the same event again', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  const epos = await wsEpos(p, k);
  t.after(() => epos.close());
  await raise(p, k, { event: 'payment_intent.created', data: payment(), id: 'evt-again' });
  await raise(p, k, { event: 'payment_intent.created', data: payment('pi_2'), id: 'evt-other' });
  await delivered(p, k, 'evt-again');
  await delivered(p, k, 'evt-other');
  const before = (await get(p, k, `${PATH}/evt-again`)).body;

  const res = await post(p, k, `${PATH}/evt-again/resend`);
  assert.equal(res.status, 202, res.text);
  assert.ok(['pending', 'delivered'].includes(res.body.delivery.status));
  assert.equal(res.body.delivery.id, 'evt-again');
  assert.ok(res.body.delivery.seq > before.seq, `a new seq (${res.body.delivery.seq} > ${before.seq})`);
  assert.match(res.body.delivery.requeuedAt, ISO);
  await until(async () => epos.frames.filter((f) => f.params.id === 'evt-again').length === 2, 3000, 'the second delivery');
  const again = epos.frames.filter((f) => f.params.id === 'evt-again');
  assert.deepEqual(again[1]!.params, again[0]!.params, 'the same Event, same id');
  const after = await until(async () => {
    const d = (await get(p, k, `${PATH}/evt-again`)).body;
    return d.status === 'delivered' ? d : undefined;
  }, 3000, 'delivered again');
  assert.equal(after.attempts, 1, 'attempts count from the resend');
  assert.deepEqual(after.attemptLog.map((a: { outcome: string }) => a.outcome), ['delivered', 'delivered'], 'the log keeps both rounds');
  const list = await get(p, k, PATH);
  assert.equal(list.body.deliveries[0].id, 'evt-again', 'listed as the newest');
  assert.equal(epos.frames.filter((f) => f.params.id === 'evt-other').length, 1, 'nothing else was sent again');
});

test('replay queues the failed events matching a filter, oldest first, bounded per request; a double click queues nothing twice', async (t) => {
  const p = await platform(t, { limits: { deliveryReplayMax: 2 } });
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  const state = { failing: true };
  const epos = await wsEpos(p, k, switchable(state, refuse('InvalidRequest')));
  t.after(() => epos.close());
  for (const [id, type] of [['r1', 'payment_intent.created'], ['r2', 'payment_intent.status_updated'], ['r3', 'payment_intent.created'], ['r4', 'payment_intent.created']]) {
    await raise(p, k, { event: type, data: payment(`pi_${id}`, 'Captured'), id });
  }
  for (const id of ['r1', 'r2', 'r3', 'r4']) await until(async () => (await statusOf(p, k, id)) === 'failed', 3000, `${id} rejected`);
  state.failing = false;
  const sentBefore = epos.frames.length;

  const first = await post(p, k, `${PATH}/replay`, { status: 'failed', type: 'payment_intent.created' });
  assert.equal(first.status, 202, first.text);
  assert.deepEqual(first.body, { queued: 2, more: true }, 'two at most per request, and more wait');
  const second = await post(p, k, `${PATH}/replay`, { status: 'failed', type: 'payment_intent.created' });
  assert.deepEqual(second.body, { queued: 1, more: false }, 'the next request takes the rest, not the ones already queued');
  const third = await post(p, k, `${PATH}/replay`, { status: 'failed', type: 'payment_intent.created' });
  assert.deepEqual(third.body, { queued: 0, more: false });
  for (const id of ['r1', 'r3', 'r4']) await delivered(p, k, id, 3000);
  const resent = epos.frames.slice(sentBefore).map((f) => f.params.id);
  assert.deepEqual(resent, ['r1', 'r3', 'r4'], 'each once, in their order');
  assert.equal(await statusOf(p, k, 'r2'), 'failed', 'another type is not replayed');

  // Without a status, a replay means failed and expired events.
  const rest = await post(p, k, `${PATH}/replay`, {});
  assert.deepEqual(rest.body, { queued: 1, more: false });
  await delivered(p, k, 'r2', 3000);
});

test('a failing EPOS is paused after the dead letters in a row; new events queue unsent; resume delivers them in order', async (t) => {
  const p = await platform(t, { eventMaxAttempts: 2, eventPauseAfterDeadLetters: 2 });
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  const state = { failing: true };
  const epos = await wsEpos(p, k, switchable(state, refuse('UnexpectedError')));
  t.after(() => epos.close());
  await raise(p, k, { event: 'payment_intent.created', data: payment('pi_1'), id: 'd1' });
  await raise(p, k, { event: 'payment_intent.created', data: payment('pi_2'), id: 'd2' });
  const paused = await until(async () => (await get(p, k, PATH)).body.paused, 5000, 'the pause');
  assert.match(paused.since, ISO);
  assert.match(paused.reason, /2 events in a row/);
  assert.equal(await statusOf(p, k, 'd1'), 'failed');
  assert.equal(await statusOf(p, k, 'd2'), 'failed');
  assert.equal(epos.frames.length, 4, 'two attempts each');

  for (const id of ['q1', 'q2', 'q3']) {
    const r = await raise(p, k, { event: 'payment_intent.created', data: payment(`pi_${id}`), id });
    assert.equal(r.status, 202, 'raising still works while paused');
  }
  state.failing = false;
  // Reconnecting makes pending events due; paused, they still are not sent.
  await epos.close();
  const epos2 = await wsEpos(p, k);
  t.after(() => epos2.close());
  await sleep(400);
  assert.equal(epos2.frames.length, 0, 'no attempt while paused');
  for (const id of ['q1', 'q2', 'q3']) {
    const d = (await get(p, k, `${PATH}/${id}`)).body;
    assert.equal(d.status, 'pending');
    assert.equal(d.attempts, 0);
    assert.deepEqual(d.attemptLog, []);
  }

  const resumed = await post(p, k, `${PATH}/resume`);
  assert.equal(resumed.status, 200, resumed.text);
  assert.deepEqual(resumed.body, { paused: null, resumed: 3 });
  for (const id of ['q1', 'q2', 'q3']) await delivered(p, k, id, 3000);
  assert.deepEqual(epos2.frames.map((f) => f.params.id), ['q1', 'q2', 'q3'], 'in the order raised');
  assert.equal((await get(p, k, PATH)).body.paused, null);

  // By hand too: paused at once, and resume sends what queued meanwhile.
  const byHand = await post(p, k, `${PATH}/pause`);
  assert.equal(byHand.status, 200, byHand.text);
  assert.match(byHand.body.paused.reason, /by hand/);
  await raise(p, k, { event: 'payment_intent.created', data: payment('pi_h'), id: 'h1' });
  await sleep(200);
  assert.equal(await statusOf(p, k, 'h1'), 'pending');
  assert.deepEqual((await post(p, k, `${PATH}/resume`)).body, { paused: null, resumed: 1 });
  await delivered(p, k, 'h1', 3000);
});

test('tenants are isolated: another key gets 404 for a delivery id, cannot resend it, lists nothing of it, and its resume lifts no other pause', async (t) => {
  const p = await platform(t);
  const ka = await key(p, 'acc-a');
  const kb = await key(p, 'acc-b');
  await registerWs(p, ka);
  const epos = await wsEpos(p, ka);
  t.after(() => epos.close());
  await raise(p, ka, { event: 'payment_intent.created', data: payment(), id: 'evt-a' });
  await delivered(p, ka, 'evt-a');

  const peek = await get(p, kb, `${PATH}/evt-a`);
  assert.equal(peek.status, 404);
  assert.equal(peek.body.error, 'NOT_FOUND');
  const resend = await post(p, kb, `${PATH}/evt-a/resend`);
  assert.equal(resend.status, 404);
  assert.deepEqual((await get(p, kb, PATH)).body, { deliveries: [], paused: null });
  assert.deepEqual((await post(p, kb, `${PATH}/replay`, { status: 'delivered' })).body, { queued: 0, more: false });
  await sleep(100);
  assert.equal(epos.frames.length, 1, 'A’s EPOS got its event once');

  await post(p, ka, `${PATH}/pause`);
  assert.deepEqual((await post(p, kb, `${PATH}/resume`)).body, { paused: null, resumed: 0 });
  assert.notEqual((await get(p, ka, PATH)).body.paused, null, 'A is still paused');
});

test('bad input is a 400 naming the field: unknown status or type, a bad time or range, a bad cursor or limit, pending in a replay', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  const bad = async (path: string, field: string, body?: unknown) => {
    const res = body === undefined ? await get(p, k, path) : await post(p, k, path, body);
    assert.equal(res.status, 400, `${path}: ${res.text}`);
    assert.equal(res.body.error, 'VALIDATION_FAILED');
    assert.equal(res.body.details[0].path, field, res.text);
    return res.body;
  };
  const status = await bad(`${PATH}?status=lost`, '$.query.status');
  assert.match(status.message, /pending, delivered, failed, skipped, expired/);
  await bad(`${PATH}?type=payment_intent.refunded`, '$.query.type');
  await bad(`${PATH}?from=yesterday`, '$.query.from');
  const range = await bad(`${PATH}?from=2026-11-27T10:00:00Z&to=2026-11-27T09:00:00Z`, '$.query.to');
  assert.match(range.message, /later than from/);
  await bad(`${PATH}?from=2026-11-27T10:00:00Z&to=2026-11-27T10:00:00Z`, '$.query.to');
  await bad(`${PATH}?cursor=abc`, '$.query.cursor');
  await bad(`${PATH}?limit=201`, '$.query.limit');
  await bad(`${PATH}?limit=0`, '$.query.limit');
  const pending = await bad(`${PATH}/replay`, '$.status', { status: 'pending' });
  assert.match(pending.message, /delivered, failed, skipped, expired/);
  await bad(`${PATH}/replay`, '$.to', { from: '2026-11-27T10:00:00Z', to: '2026-11-01T00:00:00Z' });
  const extra = await post(p, k, `${PATH}/replay`, { status: 'failed', ids: ['x'] });
  assert.equal(extra.status, 400);
  assert.equal((await get(p, k, `${PATH}/no-such-event`)).status, 404);
  assert.equal((await post(p, k, `${PATH}/no-such-event/resend`)).status, 404);
});

test('cluster: the pause is in the shared store: tripped by deliveries through one node, seen and lifted through another', async (t) => {
  const c = await testCluster(['A', 'B'], { ...FAST, eventMaxAttempts: 2, eventPauseAfterDeadLetters: 2 });
  t.after(() => c.destroy());
  const [a, b] = c.nodes as [ClusterNode, ClusterNode];
  const k = c.key;
  await registerWs(b, k);
  const state = { failing: true };
  const epos = await wsEpos(a, k, switchable(state, refuse('UnexpectedError')));
  t.after(() => epos.close());
  await until(() => b.bus.presence.holders('sandbox:cluster-acct').includes('A'), 3000, 'presence of A on B');

  await raise(b, k, { event: 'payment_intent.created', data: payment('pi_1'), id: 'c1' });
  await raise(a, k, { event: 'payment_intent.created', data: payment('pi_2'), id: 'c2' });
  const paused = await until(async () => (await get(b, k, PATH)).body.paused, 8000, 'the pause, seen on B');
  assert.deepEqual((await get(a, k, PATH)).body.paused, paused, 'the same pause on A');
  const sent = epos.frames.length;
  await raise(a, k, { event: 'payment_intent.created', data: payment('pi_3'), id: 'c3' });
  await raise(b, k, { event: 'payment_intent.created', data: payment('pi_4'), id: 'c4' });
  state.failing = false;
  await sleep(500);
  assert.equal(epos.frames.length, sent, 'neither node attempts while paused');

  assert.deepEqual((await post(a, k, `${PATH}/resume`)).body, { paused: null, resumed: 2 });
  for (const id of ['c3', 'c4']) await until(async () => (await statusOf(b, k, id)) === 'delivered', 5000, `${id} delivered`);
  assert.deepEqual(epos.frames.slice(sent).map((f) => f.params.id), ['c3', 'c4']);
  const log = (await get(b, k, `${PATH}/c1`)).body.attemptLog as { node: string }[];
  assert.equal(log.length, 2);
  for (const at of log) assert.ok(['A', 'B'].includes(at.node), at.node);
});
