// Events to the EPOS: POST /epos/data/v1/events, the outbox and its delivery worker, end to end over
// a real platform, a real WebSocket EPOS and a real HTTP EPOS.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { api, testPlatform } from '../../helpers/platform.ts';
import {
  CREATED, FAST, delivered, eventState, key, ok, payment, platform, raise, registerWs, restEpos, until, wsEpos, type Answer,
} from './helpers.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const eposFails = (errorType: string): Answer => (f) => ({ jsonrpc: '2.0', id: f.id, error: { errorType, debugMessage: 'test says no' } });

test('a raised event reaches the connected EPOS as exactly one HandleEventV1 frame: the Event plus headers', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  const epos = await wsEpos(p, k);
  t.after(() => epos.close());

  const res = await raise(p, k, { event: 'payment_intent.created', data: payment('pi_42', 'Authorized') });
  assert.equal(res.status, 202, res.text);
  const ev = res.body;
  assert.match(ev.id, UUID);
  assert.equal(ev.accountId, 'acc-a');
  assert.equal(ev.event, 'payment_intent.created');
  assert.deepEqual(ev.data, { paymentIntentId: 'pi_42', paymentStatus: 'Authorized', captureMode: 'Auto' });
  assert.match(ev.createdAt, ISO);
  assert.ok(['pending', 'delivered'].includes(ev.delivery.status));

  const done = await delivered(p, k, ev.id);
  assert.equal(done.delivery.attempts, 1);
  assert.match(done.delivery.deliveredAt, ISO);
  assert.equal(epos.frames.length, 1);
  const [f] = epos.frames;
  assert.deepEqual(f, {
    jsonrpc: '2.0', id: f!.id, method: 'HandleEventV1',
    params: { id: ev.id, accountId: 'acc-a', event: 'payment_intent.created', data: ev.data, createdAt: ev.createdAt, headers: {} },
  });
});

test('to a REST EPOS the event is POSTed to <base>/v1/events with basic auth and the Event as the body', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-rest');
  const epos = await restEpos(t);
  const reg = await api(p.url, 'PUT', '/epos/integrations/rest', {
    key: k,
    body: { url: `${epos.base}/dojo`, auth: { authType: 'basic', basic: { username: 'u', password: 'pw-123' } }, capabilities: [{ name: CREATED, version: 'v1' }] },
  });
  assert.equal(reg.status, 200, reg.text);

  const res = await raise(p, k, { event: 'payment_intent.created', data: payment(), id: 'evt-rest-1' });
  assert.equal(res.status, 202, res.text);
  await delivered(p, k, 'evt-rest-1');
  assert.equal(epos.seen.length, 1);
  const [s] = epos.seen;
  assert.equal(s!.method, 'POST');
  assert.equal(s!.url, '/dojo/v1/events');
  assert.equal(s!.headers.authorization, `Basic ${Buffer.from('u:pw-123').toString('base64')}`);
  const { delivery, ...event } = res.body;
  assert.deepEqual(JSON.parse(s!.body), event);
});

test('an event type the EPOS did not register is kept as skipped (not-registered) and never sent', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  await registerWs(p, k, [CREATED]);
  const epos = await wsEpos(p, k);
  t.after(() => epos.close());

  const res = await raise(p, k, { event: 'payment_intent.status_updated', data: payment('pi_1', 'Captured'), id: 'evt-unreg' });
  assert.equal(res.status, 202);
  assert.deepEqual(res.body.delivery, { status: 'skipped', reason: 'not-registered', attempts: 0 });
  const sent = await raise(p, k, { event: 'payment_intent.created', data: payment(), id: 'evt-reg' });
  await delivered(p, k, 'evt-reg');
  assert.deepEqual(epos.frames.map((f) => f.params.id), ['evt-reg']);
  assert.equal((await eventState(p, k, 'evt-unreg')).delivery.status, 'skipped');
  assert.equal(sent.status, 202);
});

test('a bad raise body is a 400 naming each field by JSON path; accountId and createdAt are the platform\'s', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  const bad = await raise(p, k, { event: 'payment_intent.refunded', data: { paymentIntentId: 'pi', paymentStatus: 'Paid' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'VALIDATION_FAILED');
  const paths = bad.body.details.map((d: { path: string }) => d.path);
  for (const path of ['$.event', '$.data.paymentStatus', '$.data.captureMode']) assert.ok(paths.includes(path), `${path} in ${paths}`);

  const extra = await raise(p, k, { event: 'payment_intent.created', data: payment(), accountId: 'someone-else' });
  assert.equal(extra.status, 400);
  assert.match(JSON.stringify(extra.body.details), /accountId/);
  const badId = await raise(p, k, { event: 'payment_intent.created', data: payment(), id: 'has spaces/and slashes' });
  assert.equal(badId.status, 400);
  assert.equal(badId.body.details[0].path, '$.id');
});

test('raising the same id twice is idempotent: one event, one delivery; a different event under that id is a 409', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  const epos = await wsEpos(p, k);
  t.after(() => epos.close());

  const body = { event: 'payment_intent.created', data: payment('pi_7'), id: 'evt-once' };
  const first = await raise(p, k, body);
  await delivered(p, k, 'evt-once');
  const again = await raise(p, k, body);
  assert.equal(again.status, 202);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.body.createdAt, first.body.createdAt);
  assert.equal(again.body.delivery.status, 'delivered');
  const clash = await raise(p, k, { ...body, data: payment('pi_8') });
  assert.equal(clash.status, 409);
  assert.equal(clash.body.error, 'EVENT_ID_CONFLICT');
  await sleep(100);
  assert.equal(epos.frames.length, 1);
});

test('at least once across a restart: raised while the EPOS is offline, delivered by the next platform when it connects', async (t) => {
  // The longest delay is long: only the reconnect can make the event due in time.
  const opts = { ...FAST, eventRetryMaxMs: 60_000 };
  const p1 = await testPlatform(opts);
  t.after(() => p1.destroy());
  const k = await key(p1, 'acc-a');
  await registerWs(p1, k);
  const res = await raise(p1, k, { event: 'payment_intent.created', data: payment(), id: 'evt-survives' });
  assert.equal(res.status, 202);
  const waiting = await until(async () => {
    const e = await eventState(p1, k, 'evt-survives');
    return e.delivery.lastError ? e : undefined;
  }, 2000, 'a first try');
  assert.equal(waiting.delivery.status, 'pending');
  assert.equal(waiting.delivery.attempts, 0);
  assert.equal(waiting.delivery.lastError.code, 'EPOS_NOT_CONNECTED');
  await p1.stop();

  const p2 = await testPlatform({ ...opts, dataDir: p1.dataDir });
  t.after(() => p2.stop());
  const epos = await wsEpos(p2, k);
  t.after(() => epos.close());
  const done = await delivered(p2, k, 'evt-survives');
  assert.equal(done.delivery.attempts, 1);
  assert.equal(epos.frames.length, 1);
  assert.equal(epos.frames[0]!.params.id, 'evt-survives');
  assert.equal(epos.frames[0]!.params.createdAt, res.body.createdAt);
});

test('an EPOS that errors and then recovers gets the same event again until it accepts it', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  const epos = await wsEpos(p, k, (f, n) => (n <= 2 ? eposFails('UnexpectedError')(f, n) : ok(f, n)));
  t.after(() => epos.close());

  await raise(p, k, { event: 'payment_intent.created', data: payment(), id: 'evt-retry' });
  const done = await delivered(p, k, 'evt-retry');
  assert.equal(done.delivery.attempts, 3);
  assert.equal(done.delivery.lastError.code, 'EPOS_ERROR');
  assert.deepEqual(epos.frames.map((f) => f.params.id), ['evt-retry', 'evt-retry', 'evt-retry']);
});

test('an EPOS that never accepts dead-letters the event as failed after the maximum attempts, with the last error', async (t) => {
  const p = await platform(t, { eventMaxAttempts: 3 });
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  // An answer that breaks the JSON-RPC contract, then timeouts: both are retried.
  const epos = await wsEpos(p, k, (f, n) => (n === 1 ? eposFails('UnexpectedError')(f, n) : n === 2 ? { jsonrpc: '2.0', id: f.id, result: 'nope' } : undefined));
  t.after(() => epos.close());

  await raise(p, k, { event: 'payment_intent.created', data: payment(), id: 'evt-dead' });
  const dead = await until(async () => {
    const e = await eventState(p, k, 'evt-dead');
    return e.delivery.status === 'failed' ? e : undefined;
  }, 2500, 'dead letter');
  assert.equal(dead.delivery.reason, 'max-attempts');
  assert.equal(dead.delivery.attempts, 3);
  assert.equal(dead.delivery.lastError.code, 'EPOS_TIMEOUT');
  assert.equal(epos.frames.length, 3);
  const failed = await api(p.url, 'GET', '/epos/data/v1/events?status=failed', { key: k });
  assert.deepEqual(failed.body.events.map((e: { id: string }) => e.id), ['evt-dead']);
});

test('an EPOS answering InvalidRequest fails the event at once: the same event would be refused again', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  const epos = await wsEpos(p, k, eposFails('InvalidRequest'));
  t.after(() => epos.close());
  await raise(p, k, { event: 'payment_intent.created', data: payment(), id: 'evt-refused' });
  const e = await until(async () => {
    const s = await eventState(p, k, 'evt-refused');
    return s.delivery.status === 'failed' ? s : undefined;
  }, 2000, 'refusal');
  assert.equal(e.delivery.reason, 'rejected');
  assert.equal(e.delivery.attempts, 1);
  assert.deepEqual(e.delivery.lastError.eposError, { errorType: 'InvalidRequest', debugMessage: 'test says no' });
});

test("a tenant's events arrive in the order they were raised, even when they queued while the EPOS was away", async (t) => {
  const p = await platform(t, { eventRetryMaxMs: 60_000 });
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  const ids = ['e1', 'e2', 'e3', 'e4'];
  for (const [i, id] of ids.entries()) {
    await raise(p, k, { event: i ? 'payment_intent.status_updated' : 'payment_intent.created', data: payment('pi_1', i ? 'Captured' : 'Created'), id });
  }
  await until(async () => (await eventState(p, k, 'e1')).delivery.lastError, 2000, 'e1 parked');
  const epos = await wsEpos(p, k);
  t.after(() => epos.close());
  for (const id of ids) await delivered(p, k, id);
  assert.deepEqual(epos.frames.map((f) => f.params.id), ids);
});

test("the event list shows the tenant's own events oldest first, filtered by status, with a cursor", async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  await registerWs(p, k, [CREATED]);
  for (const id of ['l1', 'l2', 'l3']) await raise(p, k, { event: 'payment_intent.status_updated', data: payment(), id });
  const page1 = await api(p.url, 'GET', '/epos/data/v1/events?status=skipped&limit=2', { key: k });
  assert.equal(page1.status, 200);
  assert.deepEqual(page1.body.events.map((e: { id: string }) => e.id), ['l1', 'l2']);
  const page2 = await api(p.url, 'GET', `/epos/data/v1/events?status=skipped&limit=2&after=${page1.body.next}`, { key: k });
  assert.deepEqual(page2.body.events.map((e: { id: string }) => e.id), ['l3']);
  assert.deepEqual((await api(p.url, 'GET', '/epos/data/v1/events?status=delivered', { key: k })).body.events, []);
  const bad = await api(p.url, 'GET', '/epos/data/v1/events?status=lost', { key: k });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.details[0].path, '$.query.status');
  assert.equal((await api(p.url, 'GET', '/epos/data/v1/events/nope', { key: k })).status, 404);
});

test("one tenant never sees or receives another tenant's events", async (t) => {
  const p = await platform(t);
  const a = await key(p, 'acc-a');
  const b = await key(p, 'acc-b');
  await registerWs(p, a);
  await registerWs(p, b);
  const eposA = await wsEpos(p, a);
  const eposB = await wsEpos(p, b);
  t.after(() => Promise.all([eposA.close(), eposB.close()]).then(() => {}));

  await raise(p, a, { event: 'payment_intent.created', data: payment(), id: 'shared-id' });
  await delivered(p, a, 'shared-id');
  assert.equal((await api(p.url, 'GET', '/epos/data/v1/events/shared-id', { key: b })).status, 404);
  assert.deepEqual((await api(p.url, 'GET', '/epos/data/v1/events', { key: b })).body.events, []);
  // The same id is free for another tenant: ids are per tenant.
  const own = await raise(p, b, { event: 'payment_intent.created', data: payment('pi_b'), id: 'shared-id' });
  assert.equal(own.status, 202);
  assert.equal(own.headers.get('idempotent-replayed'), null);
  await delivered(p, b, 'shared-id');
  assert.deepEqual(eposA.frames.map((f) => f.params.accountId), ['acc-a']);
  assert.deepEqual(eposB.frames.map((f) => [f.params.accountId, (f.params.data as { paymentIntentId: string }).paymentIntentId]), [['acc-b', 'pi_b']]);
});

test('a delivery cut short by shutdown is not lost: it stays pending, uncounted, and the next platform delivers it', async (t) => {
  const opts = { ...FAST, callTimeoutMs: 5_000 };
  const p1 = await testPlatform(opts);
  t.after(() => p1.destroy());
  const k = await key(p1, 'acc-a');
  await registerWs(p1, k);
  const silent = await wsEpos(p1, k, () => undefined);
  await raise(p1, k, { event: 'payment_intent.created', data: payment(), id: 'evt-cut' });
  await until(() => silent.frames.length === 1, 2000, 'the first frame');
  const t0 = performance.now();
  await p1.drain({ deadlineMs: 100 }); // past its deadline a drain stops waiting for the EPOS
  assert.ok(performance.now() - t0 < 1000, 'shutdown does not wait for the EPOS to answer');

  const p2 = await testPlatform({ ...opts, dataDir: p1.dataDir });
  t.after(() => p2.stop());
  const before = await eventState(p2, k, 'evt-cut');
  assert.equal(before.delivery.status, 'pending');
  assert.equal(before.delivery.attempts, 0);
  const epos = await wsEpos(p2, k);
  t.after(() => epos.close());
  await delivered(p2, k, 'evt-cut');
  assert.deepEqual(epos.frames.map((f) => f.params.id), ['evt-cut']);
});

test('a delivery in flight when the platform drains is finished, not cut: delivered once, then the socket closes with 1012', async (t) => {
  const opts = { ...FAST, callTimeoutMs: 5_000 };
  const p1 = await testPlatform(opts);
  t.after(() => p1.destroy());
  const k = await key(p1, 'acc-a');
  await registerWs(p1, k);
  const slow = await wsEpos(p1, k, () => undefined);
  await raise(p1, k, { event: 'payment_intent.created', data: payment(), id: 'evt-drain' });
  await until(() => slow.frames.length === 1, 2000, 'the first frame');
  const closed = once(slow.sock, 'close');
  const drained = p1.drain({ deadlineMs: 5_000 });
  await sleep(100);
  slow.sock.send(JSON.stringify(ok(slow.frames[0]!, 1)));
  await drained;
  assert.equal((await closed)[0], 1012);

  const p2 = await testPlatform({ ...opts, dataDir: p1.dataDir });
  t.after(() => p2.stop());
  const after = await eventState(p2, k, 'evt-drain');
  assert.equal(after.delivery.status, 'delivered');
  const epos = await wsEpos(p2, k);
  t.after(() => epos.close());
  await sleep(200);
  assert.equal(epos.frames.length, 0, 'not delivered again');
});

test('an event whose capability was unregistered before delivery ends as skipped (not-registered), never sent', async (t) => {
  const p = await platform(t, { eventRetryMaxMs: 60_000 });
  const k = await key(p, 'acc-a');
  await registerWs(p, k);
  await raise(p, k, { event: 'payment_intent.created', data: payment(), id: 'evt-orphan' });
  await until(async () => (await eventState(p, k, 'evt-orphan')).delivery.lastError, 2000, 'parked');
  await registerWs(p, k, ['GetOrderById']);
  const epos = await wsEpos(p, k);
  t.after(() => epos.close());
  const e = await until(async () => {
    const s = await eventState(p, k, 'evt-orphan');
    return s.delivery.status === 'skipped' ? s : undefined;
  }, 2000, 'skipped');
  assert.equal(e.delivery.reason, 'not-registered');
  assert.equal(e.delivery.lastError.code, 'CAPABILITY_NOT_REGISTERED');
  assert.equal(epos.frames.length, 0);
});
