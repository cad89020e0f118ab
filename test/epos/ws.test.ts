// The reference EPOS driven the way the platform drives it: JSON-RPC over the SDK's socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWs, assertContract } from './helpers.ts';

const event = (id: string, paymentIntentId: string, paymentStatus: string, type = 'payment_intent.status_updated') => ({
  id,
  accountId: 'acc_1',
  event: type,
  data: { paymentIntentId, paymentStatus, captureMode: 'Auto' },
  createdAt: '2026-03-14T18:00:00.000Z',
});

test('the same event delivered twice is handled once', async (t) => {
  const h = await startWs();
  t.after(() => h.close());
  const paid = await h.platform.request('RecordOrderPaymentByIdV1', { orderId: 'ord_0007', paymentIntentId: 'pi_rev', paidAmount: { value: 500, currencyCode: 'GBP' } });
  assert.equal(paid.result.paidAmount.value, 500);
  h.events.length = 0;

  const first = await h.platform.request('HandleEventV1', event('evt_1', 'pi_rev', 'Reversed'));
  assert.deepEqual(first.result, {});
  assertContract('HandleEvent:payment_intent.status_updated', first.result);
  const order = (await h.platform.request('GetOrderByIdV1', { orderId: 'ord_0007' })).result;
  assert.equal(order.paidAmount.value, 0, 'a reversed payment comes off the order');
  assert.deepEqual(h.events, [{ eventType: 'OrderUpdated', event: { orderId: 'ord_0007' } }]);

  // a new payment, then the old event again: nothing may change
  await h.platform.request('RecordOrderPaymentByIdV1', { orderId: 'ord_0007', paymentIntentId: 'pi_new', paidAmount: { value: 700, currencyCode: 'GBP' } });
  const replay = await h.platform.request('HandleEventV1', event('evt_1', 'pi_rev', 'Reversed'));
  assert.deepEqual(replay.result, {});
  const after = (await h.platform.request('GetOrderByIdV1', { orderId: 'ord_0007' })).result;
  assert.equal(after.paidAmount.value, 700);
  assert.equal((h.ref.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n, 1);
});

test('both event types are routed by params.event; an unknown event type is refused', async (t) => {
  const h = await startWs();
  t.after(() => h.close());
  const created = await h.platform.request('HandleEventV1', event('evt_c', 'pi_c', 'Created', 'payment_intent.created'));
  assert.deepEqual(created.result, {});
  const odd = await h.platform.request('HandleEventV1', event('evt_x', 'pi_c', 'Created', 'refund.created'));
  assert.equal(odd.error.errorType, 'InvalidRequest');
  assert.equal(odd.error.code, -32601);
});

test('requestor headers travel in params.headers and drive the waiter filter', async (t) => {
  const h = await startWs();
  t.after(() => h.close());
  const res = await h.platform.request('SearchOrdersV1', { payableOnly: true, cursor: { limit: 100 } }, { waiterId: '103', deviceType: 'Dojo Terminal' });
  assertContract('SearchOrders', res.result);
  assert.ok(res.result.data.length > 0);
  assert.ok(res.result.data.every((o: any) => o.details.dineIn.waiterId === '103'));
});

test('parties and reservations: create, read, update, delete, each change announced', async (t) => {
  const h = await startWs();
  t.after(() => h.close());
  const start = '2026-03-14T19:00:00.000Z';
  const res = await h.platform.request('CreateReservationV1', {
    dojoReservationId: 'dojo-res-1', name: 'Ada L.', covers: 2, startTime: start, endTime: '2026-03-14T21:00:00.000Z', tableIds: ['tbl_05'], guestRequests: 'quiet corner',
  });
  assertContract('CreateReservation', res.result);
  const reservationId = res.result.id;
  const updated = await h.platform.request('UpdateReservationV1', {
    id: reservationId, dojoReservationId: 'dojo-res-1', name: 'Ada L.', covers: 3, startTime: start, endTime: '2026-03-14T21:00:00.000Z', tableIds: ['tbl_05'],
  });
  assert.equal(updated.result.covers, 3);

  const party = await h.platform.request('CreatePartyV1', { dojoPartyId: 'dojo-pty-1', tableIds: ['tbl_05'], startTime: start, reservationId, name: 'Ada L.', covers: 3 });
  assertContract('CreateParty', party.result);
  assert.equal(party.result.reservationId, reservationId);
  const clash = await h.platform.request('CreatePartyV1', { dojoPartyId: 'dojo-pty-2', tableIds: ['tbl_05'], startTime: start });
  assert.equal(clash.error.errorType, 'Conflict', 'a table seats one party at a time');
  const retried = await h.platform.request('CreatePartyV1', { dojoPartyId: 'dojo-pty-1', tableIds: ['tbl_05'], startTime: start });
  assert.equal(retried.result.id, party.result.id);

  const left = await h.platform.request('UpdatePartyV1', {
    id: party.result.id, dojoPartyId: 'dojo-pty-1', tableIds: ['tbl_05'], status: 'Left', startTime: start, endTime: '2026-03-14T20:45:00.000Z',
  });
  assertContract('UpdateParty', left.result);
  assert.equal(left.result.endTime, '2026-03-14T20:45:00.000Z');
  const done = await h.platform.request('SearchPartiesV1', { completedOnly: true, tableId: 'tbl_05' });
  assert.deepEqual(done.result.data.map((p: any) => p.id), [party.result.id]);

  assert.deepEqual((await h.platform.request('DeletePartyByIdV1', { partyId: party.result.id })).result, {});
  assert.equal((await h.platform.request('GetPartyByIdV1', { partyId: party.result.id })).error.errorType, 'NotFound');
  assert.deepEqual((await h.platform.request('DeleteReservationByIdV1', { reservationId })).result, {});
  assert.equal((await h.platform.request('GetReservationByIdV1', { reservationId })).error.errorType, 'NotFound');

  assert.deepEqual(h.events.map((e) => e.eventType), [
    'ReservationUpdated', 'ReservationUpdated', 'PartyUpdated', 'PartyUpdated', 'PartyUpdated', 'ReservationUpdated',
  ]);
});

test('party and reservation writes check tables and times', async (t) => {
  const h = await startWs();
  t.after(() => h.close());
  const bad = await h.platform.request('CreatePartyV1', { dojoPartyId: 'x', tableIds: ['tbl_99'], startTime: '2026-03-14T19:00:00.000Z' });
  assert.equal(bad.error.errorType, 'InvalidRequest');
  const backwards = await h.platform.request('CreateReservationV1', {
    dojoReservationId: 'r', name: 'B', covers: 2, startTime: '2026-03-14T21:00:00.000Z', endTime: '2026-03-14T19:00:00.000Z', tableIds: ['tbl_01'],
  });
  assert.equal(backwards.error.errorType, 'InvalidRequest');
  const missing = await h.platform.request('UpdatePartyV1', { id: 'pty_9999', dojoPartyId: 'd', tableIds: ['tbl_01'], status: 'Seated', startTime: '2026-03-14T19:00:00.000Z' });
  assert.equal(missing.error.errorType, 'NotFound');
});
