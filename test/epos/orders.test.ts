import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRest, assertContract } from './helpers.ts';
import { BILL_LINE_TYPES } from '../../packages/contract/src/entities.ts';

test('every seeded order adds up: lines − discounts + service charge = total, tips apart', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const orders = (await h.call('POST', '/v1/orders/search', { cursor: { limit: 100 } })).body.data;
  const mods = (ms: any[] = []) => ms.reduce((s, m) => s + m.quantity * m.amountPerModifier.value, 0);
  for (const o of orders) {
    assertContract('GetOrderById', o);
    const lines = o.items.reduce(
      (s: number, i: any) => s + i.quantity * (i.amountPerItem.value + mods(i.modifiers) + (i.subItems ?? []).reduce((x: number, si: any) => x + si.quantity * (si.amountPerItem.value + mods(si.modifiers)), 0)),
      0,
    );
    const discounts = o.discounts.reduce((s: number, d: any) => s + d.amountTotal.value, 0);
    assert.equal(o.totalAmount.value, lines - discounts + o.serviceChargeAmount.value, o.id);
    assert.equal(o.paidAmount.value, o.payments.reduce((s: number, p: any) => s + p.paidAmount.value, 0), o.id);
    assert.equal(o.tipsAmount.value, o.payments.reduce((s: number, p: any) => s + (p.tipsAmount?.value ?? 0), 0), o.id);
  }
  const kinds = new Set(orders.flatMap((o: any) => o.items.flatMap((i: any) => [i.subItems?.length ? 'sub' : '', i.modifiers?.length ? 'mod' : ''])));
  assert.ok(kinds.has('sub') && kinds.has('mod'));
  assert.ok(orders.some((o: any) => o.discounts.length > 0 && o.taxLines.length > 0));
});

test('the bill wraps the order in a header and footer using every bill line type', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const bill = await h.call('GET', '/v1/orders/ord_0002/bill');
  assert.equal(bill.status, 200);
  assertContract('GetOrderBillById', bill.body);
  const order = (await h.call('GET', '/v1/orders/ord_0002')).body;
  assert.deepEqual(bill.body.order, order);
  const lines = [...bill.body.header.lines, ...bill.body.footer.lines];
  assert.deepEqual(new Set(lines.map((l: any) => l.lineType)), new Set(BILL_LINE_TYPES));
  const field: Record<string, string> = { URL: 'url', TaxNumber: 'taxNumber', HorizontalLine: 'horizontalLine', Text: 'text', Logo: 'logo', Image: 'image' };
  for (const l of lines) {
    const f = field[l.lineType] ?? l.lineType[0].toLowerCase() + l.lineType.slice(1);
    assert.ok(l[f], `${l.lineType} carries ${f}`);
  }
  assert.equal(bill.body.header.lines[0].lineType, 'Logo');
  assert.equal((await h.call('GET', '/v1/orders/missing/bill')).status, 404);
});

test('CreateOrder stores an Order and Pay order, checks its total and is idempotent on dojoOrderId', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const body = {
    dojoOrderId: 'dojo-ord-1',
    details: { orderType: 'DineIn', dineIn: { tableId: 'tbl_08' } },
    items: [
      { name: 'Fries', plu: 'SID-FRY', quantity: 2, amountPerItem: { value: 395, currencyCode: 'GBP' } },
      { name: 'Gate burger', plu: 'BRG-01', quantity: 1, amountPerItem: { value: 1250, currencyCode: 'GBP' }, modifiers: [{ name: 'Bacon', plu: 'MOD-BCN', quantity: 1, amountPerModifier: { value: 150, currencyCode: 'GBP' } }] },
    ],
    discounts: [{ name: 'Promo', amountTotal: { value: 100, currencyCode: 'GBP' } }],
    serviceChargeAmount: { value: 200, currencyCode: 'GBP' },
    totalAmount: { value: 790 + 1400 - 100 + 200, currencyCode: 'GBP' },
    payments: [{ paymentIntentId: 'pi_op_1', paidAmount: { value: 2290, currencyCode: 'GBP' } }],
  };
  const created = await h.call('POST', '/v1/orders', body);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assertContract('CreateOrder', created.body);
  assert.equal(created.body.totalAmount.value, 2290);
  assert.equal(created.body.payable, false);
  assert.equal(created.body.details.dineIn.waiterId, '103', 'waiter taken from the table');
  assert.deepEqual(h.events, [{ eventType: 'OrderUpdated', event: { orderId: created.body.id } }]);
  const again = await h.call('POST', '/v1/orders', body);
  assert.equal(again.body.id, created.body.id);
  assert.equal(h.events.length, 1);

  const wrong = await h.call('POST', '/v1/orders', { ...body, dojoOrderId: 'dojo-ord-2', totalAmount: { value: 9999, currencyCode: 'GBP' }, payments: [] });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body.debugMessage, /does not add up/);
  const unknownTable = await h.call('POST', '/v1/orders', { ...body, dojoOrderId: 'dojo-ord-3', details: { orderType: 'DineIn', dineIn: { tableId: 'tbl_99' } }, payments: [] });
  assert.equal(unknownTable.status, 400);
});

test('cancelling: open orders cancel once, paid ones refuse', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const res = await h.call('DELETE', '/v1/orders/ord_0009');
  assert.equal(res.status, 200);
  assertContract('CancelOrderById', res.body);
  assert.equal(res.body.status, 'Canceled');
  assert.equal(res.body.payable, false);
  assert.equal((await h.call('DELETE', '/v1/orders/ord_0009')).status, 200);
  assert.equal(h.events.length, 1);
  assert.equal((await h.call('DELETE', '/v1/orders/ord_0006')).body.errorType, 'Conflict', 'has a payment');
  assert.equal((await h.call('DELETE', '/v1/orders/ord_0027')).body.errorType, 'Conflict', 'finalized');
  assert.equal((await h.call('DELETE', '/v1/orders/nope')).status, 404);
});
