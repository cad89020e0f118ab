import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRest, assertContract } from './helpers.ts';

const pay = (paymentIntentId: string, paid: number, tips = 0, extra: Record<string, unknown> = {}) => ({
  paymentIntentId,
  paidAmount: { value: paid, currencyCode: 'GBP' },
  ...(tips ? { tipsAmount: { value: tips, currencyCode: 'GBP' } } : {}),
  ...extra,
});

test('partial payments add up until the order is paid, then it is Finalized and not payable', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const start = (await h.call('GET', '/v1/orders/ord_0003')).body;
  const total = start.totalAmount.value;
  assert.equal(start.payable, true);
  assert.equal(start.paidAmount.value, 0);

  const first = await h.call('POST', '/v1/orders/ord_0003/record-payment', pay('pi_a', 1000, 150));
  assert.equal(first.status, 200);
  assertContract('RecordOrderPaymentById', first.body);
  assert.equal(first.body.paidAmount.value, 1000);
  assert.equal(first.body.tipsAmount.value, 150);
  assert.equal(first.body.totalAmount.value, total, 'tips never change the total');
  assert.equal(first.body.payable, true);
  assert.notEqual(first.body.status, 'Finalized');

  const second = await h.call('POST', '/v1/orders/ord_0003/record-payment', pay('pi_b', total - 1000, 300));
  assert.equal(second.status, 200);
  assert.equal(second.body.paidAmount.value, total);
  assert.equal(second.body.tipsAmount.value, 450);
  assert.equal(second.body.payable, false);
  assert.equal(second.body.status, 'Finalized');
  assert.deepEqual(second.body.payments.map((p: any) => p.paymentIntentId), ['pi_a', 'pi_b']);
  assert.equal(second.body.payments.reduce((s: number, p: any) => s + p.paidAmount.value, 0), second.body.paidAmount.value);
  assert.deepEqual(h.events, [
    { eventType: 'OrderUpdated', event: { orderId: 'ord_0003' } },
    { eventType: 'OrderUpdated', event: { orderId: 'ord_0003' } },
  ]);

  const search = await h.call('POST', '/v1/orders/search', { payableOnly: true, cursor: { limit: 100 } });
  assert.ok(!search.body.data.some((o: any) => o.id === 'ord_0003'), 'a paid order is hidden from payableOnly searches');
});

test('a replayed payment intent leaves the order unchanged', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const once = await h.call('POST', '/v1/orders/ord_0004/record-payment', pay('pi_replay', 1200, 100));
  const again = await h.call('POST', '/v1/orders/ord_0004/record-payment', pay('pi_replay', 1200, 100));
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, once.body);
  assert.equal(again.body.payments.length, 1);
  assert.equal(h.events.length, 1, 'one change, one event');

  const different = await h.call('POST', '/v1/orders/ord_0004/record-payment', pay('pi_replay', 1300, 100));
  assert.equal(different.status, 409);
  assert.equal(different.body.errorType, 'Conflict');
  const elsewhere = await h.call('POST', '/v1/orders/ord_0005/record-payment', pay('pi_replay', 1200, 100));
  assert.equal(elsewhere.status, 409);
});

test('a payment above the outstanding balance is refused as InvalidRequest with the balance in the message', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const order = (await h.call('GET', '/v1/orders/ord_0006')).body; // seeded with 10.00 already paid
  const outstanding = order.totalAmount.value - order.paidAmount.value;
  const res = await h.call('POST', '/v1/orders/ord_0006/record-payment', pay('pi_over', outstanding + 1));
  assert.equal(res.status, 400);
  assert.equal(res.body.errorType, 'InvalidRequest');
  assert.match(res.body.debugMessage, /exceeds the outstanding balance/);
  assert.match(res.body.debugMessage, new RegExp(`${Math.floor(outstanding / 100)}\\.${String(outstanding % 100).padStart(2, '0')} GBP`));
  assert.equal((await h.call('GET', '/v1/orders/ord_0006')).body.paidAmount.value, order.paidAmount.value);
  const exact = await h.call('POST', '/v1/orders/ord_0006/record-payment', pay('pi_exact', outstanding));
  assert.equal(exact.body.payable, false);
});

test('payments in the wrong currency, on cancelled orders or unknown orders are refused', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const eur = await h.call('POST', '/v1/orders/ord_0003/record-payment', { paymentIntentId: 'pi_eur', paidAmount: { value: 100, currencyCode: 'EUR' } });
  assert.equal(eur.body.errorType, 'InvalidRequest');
  const cancelled = await h.call('POST', '/v1/orders/ord_0028/record-payment', pay('pi_c', 100));
  assert.equal(cancelled.body.errorType, 'Conflict');
  const missing = await h.call('POST', '/v1/orders/ord_9999/record-payment', pay('pi_m', 100));
  assert.equal(missing.status, 404);
  assert.equal(missing.body.errorType, 'NotFound');
});

test('the euro order is paid in euros', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const order = (await h.call('GET', '/v1/orders/ord_0025')).body;
  assert.equal(order.totalAmount.currencyCode, 'EUR');
  const res = await h.call('POST', '/v1/orders/ord_0025/record-payment', { paymentIntentId: 'pi_eur_ok', paidAmount: { value: order.totalAmount.value, currencyCode: 'EUR' } });
  assert.equal(res.body.payable, false);
  assert.equal(res.body.paidAmount.currencyCode, 'EUR');
});
