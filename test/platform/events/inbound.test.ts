// Events from the EPOS: POST /epos/events, the per-tenant list with cursors, and the live SSE stream.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { api, testPlatform } from '../../helpers/platform.ts';
import { key, platform, sse, until } from './helpers.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function submit(url: string, k: string, body: unknown, headers: Record<string, string> = {}) {
  return api(url, 'POST', '/epos/events', { key: k, body, softwareHouseId: 'sh-epos', headers });
}

test('an EPOS event is answered 200 with the EventRequest and stored with its sequence number and sender', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  const res = await submit(p.url, k, { eventType: 'OrderUpdated', event: { orderId: 'ord_7' } }, { 'reseller-id': 'rs-1' });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { eventType: 'OrderUpdated', event: { orderId: 'ord_7' } });
  await submit(p.url, k, { eventType: 'PartyUpdated', event: { partyId: 'p_1' } });
  await submit(p.url, k, { eventType: 'ReservationUpdated', event: { reservationId: 'r_1' } });

  const list = await api(p.url, 'GET', '/epos/events', { key: k });
  assert.equal(list.status, 200);
  const [a, b, c] = list.body.events;
  assert.match(a.receivedAt, ISO);
  assert.deepEqual(a, { seq: 1, eventType: 'OrderUpdated', event: { orderId: 'ord_7' }, receivedAt: a.receivedAt, softwareHouseId: 'sh-epos', resellerId: 'rs-1' });
  assert.deepEqual([b.seq, b.eventType, b.event], [2, 'PartyUpdated', { partyId: 'p_1' }]);
  assert.deepEqual([c.seq, c.eventType, c.event], [3, 'ReservationUpdated', { reservationId: 'r_1' }]);
  assert.equal(list.body.next, 3);
});

test('an EPOS event whose id field does not match its type is a 400 naming the field it needs', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  const cases: [unknown, string, RegExp][] = [
    [{ eventType: 'OrderUpdated', event: { partyId: 'p_1' } }, '$.event.orderId', /OrderUpdated needs event\.orderId.*partyId/],
    [{ eventType: 'ReservationUpdated', event: { reservationId: 42 } }, '$.event.reservationId', /non-empty string/],
    [{ eventType: 'PartyUpdated', event: { partyId: '' } }, '$.event.partyId', /non-empty string/],
    [{ eventType: 'PartyUpdated' }, '$.event', /object/],
    [{ eventType: 'TableUpdated', event: { tableId: 't' } }, '$.eventType', /OrderUpdated, PartyUpdated, ReservationUpdated/],
    [{ event: { orderId: 'o' } }, '$.eventType', /required/],
    [['OrderUpdated'], '$', /object/],
  ];
  for (const [body, path, message] of cases) {
    const res = await submit(p.url, k, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error, 'VALIDATION_FAILED');
    assert.equal(res.body.details[0].path, path, JSON.stringify(body));
    assert.match(res.body.message, message);
  }
  assert.deepEqual((await api(p.url, 'GET', '/epos/events', { key: k })).body.events, []);
});

test('the EPOS event list pages oldest first with a next cursor and refuses a limit above 500', async (t) => {
  const p = await platform(t);
  const k = await key(p, 'acc-a');
  for (let i = 1; i <= 5; i += 1) await submit(p.url, k, { eventType: 'OrderUpdated', event: { orderId: `o${i}` } });
  const seen: string[] = [];
  let after = 0;
  for (;;) {
    const page = await api(p.url, 'GET', `/epos/events?after=${after}&limit=2`, { key: k });
    assert.equal(page.status, 200);
    if (!page.body.events.length) {
      assert.equal(page.body.next, after);
      break;
    }
    seen.push(...page.body.events.map((e: { event: { orderId: string } }) => e.event.orderId));
    after = page.body.next;
  }
  assert.deepEqual(seen, ['o1', 'o2', 'o3', 'o4', 'o5']);
  const big = await api(p.url, 'GET', '/epos/events?limit=501', { key: k });
  assert.equal(big.status, 400);
  assert.equal(big.body.details[0].path, '$.query.limit');
  assert.equal((await api(p.url, 'GET', '/epos/events?after=-1', { key: k })).status, 400);
});

test('the SSE stream delivers a live event with its seq as id, and resumes from Last-Event-ID without repeats', async (t) => {
  const p = await platform(t, { sseKeepAliveMs: 40 });
  const k = await key(p, 'acc-a');
  await submit(p.url, k, { eventType: 'OrderUpdated', event: { orderId: 'before' } });

  const live = await sse(`${p.url}/epos/events/stream?after=1`, k);
  assert.equal(live.res.status, 200);
  assert.match(live.res.headers.get('content-type') ?? '', /^text\/event-stream/);
  await submit(p.url, k, { eventType: 'PartyUpdated', event: { partyId: 'p_live' } });
  await until(() => live.messages.length === 1, 2000, 'live event');
  assert.equal(live.messages[0]!.id, '2');
  assert.deepEqual(JSON.parse(live.messages[0]!.data), {
    seq: 2, eventType: 'PartyUpdated', event: { partyId: 'p_live' }, receivedAt: JSON.parse(live.messages[0]!.data).receivedAt, softwareHouseId: 'sh-epos',
  });
  await until(() => live.comments.includes('keep-alive'), 1000, 'keep-alive comment');
  await live.close();

  await submit(p.url, k, { eventType: 'OrderUpdated', event: { orderId: 'o3' } });
  await submit(p.url, k, { eventType: 'OrderUpdated', event: { orderId: 'o4' } });
  const resumed = await sse(`${p.url}/epos/events/stream?after=0`, k, { 'last-event-id': '2' });
  t.after(() => resumed.close());
  await until(() => resumed.messages.length === 2, 2000, 'backlog after Last-Event-ID');
  await submit(p.url, k, { eventType: 'OrderUpdated', event: { orderId: 'o5' } });
  await until(() => resumed.messages.length === 3, 2000, 'live after backlog');
  assert.deepEqual(resumed.messages.map((m) => m.id), ['3', '4', '5']);

  const badCursor = await api(p.url, 'GET', '/epos/events/stream', { key: k, headers: { 'last-event-id': 'abc' } });
  assert.equal(badCursor.status, 400);
});

test('platform shutdown ends open SSE streams cleanly', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const k = await key(p, 'acc-a');
  const s = await sse(`${p.url}/epos/events/stream`, k);
  assert.equal(s.res.status, 200);
  const t0 = performance.now();
  await p.stop();
  await s.done;
  assert.ok(s.ended);
  assert.equal(s.error, undefined, 'the stream ends, it does not break');
  assert.ok(performance.now() - t0 < 1500);
});

test("another tenant's EPOS events are never listed or streamed", async (t) => {
  const p = await platform(t);
  const a = await key(p, 'acc-a');
  const b = await key(p, 'acc-b');
  const streamB = await sse(`${p.url}/epos/events/stream`, b);
  t.after(() => streamB.close());
  await submit(p.url, a, { eventType: 'OrderUpdated', event: { orderId: 'secret' } });
  await submit(p.url, b, { eventType: 'OrderUpdated', event: { orderId: 'mine' } });
  await until(() => streamB.messages.length === 1, 2000, "b's own event");
  await sleep(50);
  assert.deepEqual(streamB.messages.map((m) => JSON.parse(m.data).event.orderId), ['mine']);
  // Sequence numbers are per tenant: b's first event is 1 whatever a sent.
  assert.equal(streamB.messages[0]!.id, '1');
  const listB = await api(p.url, 'GET', '/epos/events', { key: b });
  assert.deepEqual(listB.body.events.map((e: { event: { orderId: string } }) => e.event.orderId), ['mine']);
  const sandboxOther = (await p.keys.create('acc-a', 'production')).key;
  assert.deepEqual((await api(p.url, 'GET', '/epos/events', { key: sandboxOther })).body.events, []);
});
