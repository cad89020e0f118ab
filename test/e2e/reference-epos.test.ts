// The reference EPOS end to end: the same behaviour suite run twice, once with the EPOS connected
// over WebSocket and once serving REST, every call made as a product makes it, through /epos/data.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PRODUCT_CAPABILITIES, startE2E, type CapResponse, type E2E, type TransportKind } from './setup.ts';
import { validateResult } from '../../packages/contract/src/validate.ts';
import { TABLES, WAITERS } from '../../packages/eposgate/src/epos/index.ts';

const GBP = (value: number) => ({ value, currencyCode: 'GBP' });

function assertEposError(res: CapResponse, status: number, errorType: string, message?: RegExp): void {
  assert.equal(res.status, status, `${res.capability}: expected ${status} ${errorType}, got ${res.status} ${res.text}`);
  assert.equal(res.body.errorType, errorType, `${res.capability}: ${res.text}`);
  assert.equal(typeof res.body.debugMessage, 'string');
  assert.equal(typeof res.body.traceId, 'string');
  assert.equal(res.body.error, undefined, 'an EPOS error, not a platform error');
  if (message) assert.match(res.body.debugMessage, message);
}

function ok(res: CapResponse): any {
  assert.equal(res.status, 200, `${res.capability}: ${res.status} ${res.text}`);
  return res.body;
}

const mods = (ms: any[] = []) => ms.reduce((s: number, m: any) => s + m.quantity * m.amountPerModifier.value, 0);
function linesCost(items: any[]): number {
  return items.reduce(
    (s: number, i: any) =>
      s + i.quantity * (i.amountPerItem.value + mods(i.modifiers) + (i.subItems ?? []).reduce((x: number, si: any) => x + si.quantity * (si.amountPerItem.value + mods(si.modifiers)), 0)),
    0,
  );
}

const MENU_ITEMS = [
  { name: 'Gate burger', plu: 'BRG-01', quantity: 2, amountPerItem: GBP(1250), modifiers: [{ name: 'Bacon', plu: 'MOD-BCN', quantity: 2, amountPerModifier: GBP(150) }] },
  {
    name: 'Sirloin steak', plu: 'MN-STK', quantity: 1, amountPerItem: GBP(2450),
    subItems: [{ name: 'Chips', plu: 'SUB-CHP', quantity: 1, amountPerItem: GBP(0), modifiers: [{ name: 'Truffle oil', plu: 'MOD-TRF', quantity: 1, amountPerModifier: GBP(150) }] }],
  },
  { name: 'Lemonade', plu: 'DRK-LEM', quantity: 3, amountPerItem: GBP(350) },
];
// 2×(1250+300) + (2450+150) + 3×350 = 3100 + 2600 + 1050 = 6750; − 250 discount = 6500; + 800 service
const LINES = 6750;
const DISCOUNT = 250;
const SERVICE = 800;
const TOTAL = LINES - DISCOUNT + SERVICE;

function behaviourSuite(transport: TransportKind): void {
  describe(`reference EPOS over ${transport}, through /epos/data`, () => {
    let h: E2E;
    let seq = 0;

    before(async () => {
      h = await startE2E(transport);
    });
    after(async () => {
      await h?.close();
    });

    /** A fresh dine-in order made through CreateOrder (no dependence on seed orders). */
    async function newOrder(tableId = 'tbl_08', extra: Record<string, unknown> = {}): Promise<any> {
      const res = await h.call('CreateOrder', {
        dojoOrderId: `dojo-${transport}-${++seq}`,
        details: { orderType: 'DineIn', dineIn: { tableId } },
        items: MENU_ITEMS,
        discounts: [{ name: 'Promo', discountReference: 'PROMO', amountTotal: GBP(DISCOUNT) }],
        serviceChargeAmount: GBP(SERVICE),
        totalAmount: GBP(TOTAL),
        payments: [],
        ...extra,
      });
      return ok(res);
    }

    const pay = (orderId: string, paymentIntentId: string, paid: number, tips = 0, lockId?: string) =>
      h.call('RecordOrderPaymentById', {
        orderId,
        paymentIntentId,
        paidAmount: GBP(paid),
        ...(tips ? { tipsAmount: GBP(tips) } : {}),
        ...(lockId ? { lockId } : {}),
      });

    test('ListAreas and SearchTables describe the floor', async () => {
      const areas = ok(await h.call('ListAreas'));
      assert.deepEqual(areas.map((a: any) => a.id), ['area_main', 'area_terrace', 'area_bar']);
      const terrace = areas.find((a: any) => a.id === 'area_terrace');
      assert.deepEqual([...terrace.waiterIds].sort(), [WAITERS.alice, WAITERS.cara].sort(), 'an area lists the waiters of its tables');

      const all = ok(await h.call('SearchTables', { cursor: { limit: 100 } }));
      assert.deepEqual(all.data.map((t: any) => t.id), TABLES.map((t) => t.id));
      const bar = ok(await h.call('SearchTables', { areaId: 'area_bar' }));
      assert.deepEqual(bar.data.map((t: any) => t.id), ['tbl_11', 'tbl_12']);
      const cara = ok(await h.call('SearchTables', { waiterId: WAITERS.cara }));
      assert.deepEqual(cara.data.map((t: any) => t.id), TABLES.filter((t) => (t.waiterIds as readonly string[]).includes(WAITERS.cara)).map((t) => t.id));
      assertEposError(await h.call('SearchTables', { areaId: 'area_nowhere' }), 404, 'NotFound');
      const page = ok(await h.call('SearchTables', { cursor: { limit: 5 } }));
      assert.equal(page.data.length, 5);
      const next = ok(await h.call('SearchTables', { cursor: { limit: 5, after: page.after } }));
      assert.deepEqual(next.data.map((t: any) => t.id), TABLES.slice(5, 10).map((t) => t.id));
    });

    test('CreateOrder stores the order as sent; GetOrderById and GetOrderBillById show it', async () => {
      const order = await newOrder();
      assert.equal(order.status, 'Accepted');
      assert.equal(linesCost(order.items), LINES);
      assert.equal(order.totalAmount.value, TOTAL, 'total = lines − discounts + service charge');
      assert.equal(order.serviceChargeAmount.value, SERVICE);
      assert.equal(order.paidAmount.value, 0);
      assert.equal(order.payable, true);
      assert.equal(order.details.dineIn.waiterId, WAITERS.cara, "the table's first waiter");
      assert.deepEqual(h.posEvents.at(-1), { eventType: 'OrderUpdated', event: { orderId: order.id } });

      const again = ok(await h.call('CreateOrder', {
        dojoOrderId: `dojo-${transport}-${seq}`, details: { orderType: 'DineIn', dineIn: { tableId: 'tbl_08' } },
        items: MENU_ITEMS, totalAmount: GBP(1), payments: [],
      }));
      assert.equal(again.id, order.id, 'a repeated dojoOrderId returns the first order');

      const got = ok(await h.call('GetOrderById', { orderId: order.id }));
      assert.deepEqual(got, order);
      const bill = ok(await h.call('GetOrderBillById', { orderId: order.id }));
      assert.deepEqual(bill.order, got, 'the bill wraps the same Order');
      assert.equal(bill.header.lines[0].lineType, 'Logo');
      assert.ok(bill.footer.lines.length > 0);

      assertEposError(await h.call('GetOrderById', { orderId: 'ord_none' }), 404, 'NotFound');
      assertEposError(await h.call('GetOrderBillById', { orderId: 'ord_none' }), 404, 'NotFound');
      assertEposError(
        await h.call('CreateOrder', { dojoOrderId: `dojo-${transport}-bad`, details: { orderType: 'DineIn', dineIn: { tableId: 'tbl_08' } }, items: MENU_ITEMS, totalAmount: GBP(TOTAL + 1), payments: [] }),
        400, 'InvalidRequest', /does not add up/,
      );
    });

    test('partial payments move paidAmount, tipsAmount and payments by exactly the payment; the last one finalises', async () => {
      const order = await newOrder();
      const first = ok(await pay(order.id, `pi-${transport}-a`, 2000, 150));
      assert.equal(first.paidAmount.value, 2000);
      assert.equal(first.tipsAmount.value, 150);
      assert.equal(first.totalAmount.value, TOTAL, 'tips never change the total');
      assert.equal(first.payments.length, 1);
      assert.deepEqual(first.payments[0], { paymentIntentId: `pi-${transport}-a`, paidAmount: GBP(2000), tipsAmount: GBP(150) });
      assert.equal(first.payable, true);
      assert.notEqual(first.status, 'Finalized');

      const second = ok(await pay(order.id, `pi-${transport}-b`, 1500));
      assert.equal(second.paidAmount.value, first.paidAmount.value + 1500);
      assert.equal(second.tipsAmount.value, first.tipsAmount.value);
      assert.equal(second.payments.length, 2);
      assert.equal(second.payable, true);

      // Replay of the same intent: the order is unchanged.
      const replay = ok(await pay(order.id, `pi-${transport}-b`, 1500));
      assert.deepEqual(replay, second, 'a replayed paymentIntentId leaves the order unchanged');
      assertEposError(await pay(order.id, `pi-${transport}-b`, 1600), 409, 'Conflict');

      // Overpayment: refused, nothing recorded.
      const outstanding = TOTAL - second.paidAmount.value;
      assertEposError(await pay(order.id, `pi-${transport}-over`, outstanding + 1), 400, 'InvalidRequest', /exceeds the outstanding balance/);
      assert.deepEqual(ok(await h.call('GetOrderById', { orderId: order.id })), second);

      // The exact rest, with a tip above the balance (tips have no limit): fully paid.
      const last = ok(await pay(order.id, `pi-${transport}-c`, outstanding, 5000));
      assert.equal(last.paidAmount.value, TOTAL);
      assert.equal(last.tipsAmount.value, 150 + 5000);
      assert.equal(last.totalAmount.value, TOTAL);
      assert.equal(last.payments.length, 3);
      assert.equal(last.payments.reduce((s: number, p: any) => s + p.paidAmount.value, 0), last.paidAmount.value);
      assert.equal(last.payable, false);
      assert.equal(last.status, 'Finalized');
      assertEposError(await pay(order.id, `pi-${transport}-d`, 1), 400, 'InvalidRequest');
      assertEposError(await pay('ord_none', `pi-${transport}-e`, 100), 404, 'NotFound');

      const payable = ok(await h.call('SearchOrders', { payableOnly: true, cursor: { limit: 100 } }));
      assert.ok(!payable.data.some((o: any) => o.id === order.id), 'a paid order is not payable');
    });

    test('locks: one holder, conflicts for everyone else, extend and delete', async () => {
      const order = await newOrder('tbl_04');
      const lockId = `lock-${transport}-1`;
      const other = `lock-${transport}-2`;
      const locked = ok(await h.call('CreateOrderLock', { orderId: order.id, lockId, expiry: h.clock.iso(5 * 60_000) }));
      assert.equal(locked.id, order.id);
      assert.deepEqual(ok(await h.call('CreateOrderLock', { orderId: order.id, lockId, expiry: h.clock.iso(5 * 60_000) })).id, order.id, 'same lockId is a retry');
      assertEposError(await h.call('CreateOrderLock', { orderId: order.id, lockId: other, expiry: h.clock.iso(5 * 60_000) }), 409, 'Conflict', new RegExp(lockId));

      // Writes by a non-holder are refused; reads still work.
      assertEposError(await pay(order.id, `pi-${transport}-nolock`, 100), 409, 'Conflict');
      assertEposError(await pay(order.id, `pi-${transport}-otherlock`, 100, 0, other), 409, 'Conflict');
      assertEposError(await h.call('CancelOrderById', { orderId: order.id }), 409, 'Conflict');
      assertEposError(await h.call('ExtendOrderLock', { orderId: order.id, lockId: other, expiry: h.clock.iso(10 * 60_000) }), 409, 'Conflict');
      assertEposError(await h.call('DeleteOrderLock', { orderId: order.id, lockId: other }), 409, 'Conflict');
      assert.equal(ok(await h.call('GetOrderById', { orderId: order.id })).paidAmount.value, 0);

      // The holder may write, extend and release.
      const paid = ok(await pay(order.id, `pi-${transport}-holder`, 100, 0, lockId));
      assert.equal(paid.paidAmount.value, 100);
      const extended = ok(await h.call('ExtendOrderLock', { orderId: order.id, lockId, expiry: h.clock.iso(20 * 60_000) }));
      assert.deepEqual(extended, {});
      h.clock.advance(10 * 60_000); // past the first expiry, inside the extended one
      assertEposError(await pay(order.id, `pi-${transport}-still`, 100), 409, 'Conflict', /locked/);
      const released = ok(await h.call('DeleteOrderLock', { orderId: order.id, lockId }));
      assert.equal(released.id, order.id);
      assert.equal(released.paidAmount.value, 100);
      assert.equal(ok(await h.call('DeleteOrderLock', { orderId: order.id, lockId })).id, order.id, 'releasing twice succeeds');
      assertEposError(await h.call('ExtendOrderLock', { orderId: order.id, lockId, expiry: h.clock.iso(5 * 60_000) }), 404, 'NotFound');

      // Free again: a payment without lockId goes through, another lock can be taken.
      assert.equal(ok(await pay(order.id, `pi-${transport}-free`, 100)).paidAmount.value, 200);
      ok(await h.call('CreateOrderLock', { orderId: order.id, lockId: other, expiry: h.clock.iso(60_000) }));
      ok(await h.call('DeleteOrderLock', { orderId: order.id, lockId: other }));
      assertEposError(await h.call('CreateOrderLock', { orderId: order.id, lockId: other, expiry: h.clock.iso(-60_000) }), 400, 'InvalidRequest');
    });

    test('an expired lock is released: another lockId may take the order, the old holder can no longer extend', async () => {
      const order = await newOrder('tbl_04');
      ok(await h.call('CreateOrderLock', { orderId: order.id, lockId: 'expiring', expiry: h.clock.iso(60_000) }));
      assertEposError(await h.call('CreateOrderLock', { orderId: order.id, lockId: 'next', expiry: h.clock.iso(120_000) }), 409, 'Conflict');
      h.clock.advance(61_000);
      assertEposError(await h.call('ExtendOrderLock', { orderId: order.id, lockId: 'expiring', expiry: h.clock.iso(60_000) }), 404, 'NotFound');
      // A payment still carrying the expired lockId is accepted: the money was taken.
      assert.equal(ok(await pay(order.id, `pi-${transport}-expired`, 300, 0, 'expiring')).paidAmount.value, 300);
      ok(await h.call('CreateOrderLock', { orderId: order.id, lockId: 'next', expiry: h.clock.iso(120_000) }));
      ok(await h.call('DeleteOrderLock', { orderId: order.id, lockId: 'next' }));
    });

    test('ids with reserved URL characters reach the EPOS intact, in paths and bodies', async () => {
      const order = await newOrder('tbl_04');
      const lockId = 'till 3/lock#1?x=%20&ü';
      ok(await h.call('CreateOrderLock', { orderId: order.id, lockId, expiry: h.clock.iso(60_000) }));
      assert.deepEqual(ok(await h.call('ExtendOrderLock', { orderId: order.id, lockId, expiry: h.clock.iso(120_000) })), {});
      assertEposError(await h.call('DeleteOrderLock', { orderId: order.id, lockId: 'till 3' }), 409, 'Conflict', /till 3\/lock#1/);
      assert.equal(ok(await h.call('DeleteOrderLock', { orderId: order.id, lockId })).id, order.id);
      ok(await h.call('CreateOrderLock', { orderId: order.id, lockId: 'plain', expiry: h.clock.iso(60_000) }));
      ok(await h.call('DeleteOrderLock', { orderId: order.id, lockId: 'plain' }));
      for (const id of ['a/b c', 'x%2Fy', 'ü?#&', `${order.id}/bill`]) {
        assertEposError(await h.call('GetOrderById', { orderId: id }), 404, 'NotFound', new RegExp(`order ${id.replace(/[?#&%/]/g, '\\$&')} does not exist`));
      }
    });

    test('concurrent payments on one order: replays record once, the balance is never exceeded', async () => {
      const order = await newOrder('tbl_06');
      const replays = await Promise.all(Array.from({ length: 6 }, () => pay(order.id, `pi-${transport}-race`, 1000, 100)));
      for (const r of replays) assert.equal(r.status, 200, r.text);
      const afterReplays = ok(await h.call('GetOrderById', { orderId: order.id }));
      assert.equal(afterReplays.payments.length, 1, 'one intent, one payment');
      assert.equal(afterReplays.paidAmount.value, 1000);
      assert.equal(afterReplays.tipsAmount.value, 100);

      const share = 2000; // outstanding is TOTAL − 1000 = 6050: three shares fit, the other five must not
      const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => pay(order.id, `pi-${transport}-share-${i}`, share)));
      const accepted = racing.filter((r) => r.status === 200);
      const refused = racing.filter((r) => r.status !== 200);
      assert.equal(accepted.length, Math.floor((TOTAL - 1000) / share));
      for (const r of refused) assertEposError(r, 400, 'InvalidRequest', /exceeds the outstanding balance/);
      const final = ok(await h.call('GetOrderById', { orderId: order.id }));
      assert.equal(final.paidAmount.value, 1000 + accepted.length * share);
      assert.ok(final.paidAmount.value <= final.totalAmount.value);
      assert.equal(final.payments.length, 1 + accepted.length);
    });

    test('CreateOrder then CancelOrderById; a paid order refuses to cancel', async () => {
      const order = await newOrder('tbl_05');
      const cancelled = ok(await h.call('CancelOrderById', { orderId: order.id }));
      assert.equal(cancelled.status, 'Canceled');
      assert.equal(cancelled.payable, false);
      assert.deepEqual(ok(await h.call('CancelOrderById', { orderId: order.id })), cancelled, 'cancelling again changes nothing');
      assert.equal(ok(await h.call('GetOrderById', { orderId: order.id })).status, 'Canceled');
      assertEposError(await pay(order.id, `pi-${transport}-cancelled`, 100), 409, 'Conflict');
      assertEposError(await h.call('CreateOrderLock', { orderId: order.id, lockId: 'l', expiry: h.clock.iso(60_000) }), 409, 'Conflict');

      const paid = await newOrder('tbl_05');
      ok(await pay(paid.id, `pi-${transport}-refundfirst`, 500));
      assertEposError(await h.call('CancelOrderById', { orderId: paid.id }), 409, 'Conflict', /refund/);
      assertEposError(await h.call('CancelOrderById', { orderId: 'ord_none' }), 404, 'NotFound');
    });

    test('SearchOrders: payableOnly, dine-in filters and the waiter-id header', async () => {
      await newOrder('tbl_11');
      const all = ok(await h.call('SearchOrders', { cursor: { limit: 100 } })).data as any[];
      assert.ok(all.length > 28 && all.length < 100, `${all.length} orders`);

      const payable = ok(await h.call('SearchOrders', { payableOnly: true, cursor: { limit: 100 } })).data as any[];
      assert.ok(payable.length > 0 && payable.length < all.length);
      assert.ok(payable.every((o) => o.payable === true));
      assert.deepEqual(payable.map((o) => o.id), all.filter((o) => o.payable).map((o) => o.id), 'payableOnly keeps exactly the payable orders');

      const dineIn = ok(await h.call('SearchOrders', { dineIn: {}, cursor: { limit: 100 } })).data as any[];
      assert.deepEqual(dineIn.map((o) => o.id), all.filter((o) => o.details.orderType === 'DineIn').map((o) => o.id));
      assert.ok(all.some((o) => o.details.orderType === 'Collection'), 'the seed has a collection order');

      const atTable = ok(await h.call('SearchOrders', { dineIn: { tableId: 'tbl_11' }, cursor: { limit: 100 } })).data as any[];
      assert.ok(atTable.length >= 2);
      assert.deepEqual(atTable.map((o) => o.id), all.filter((o) => o.details.dineIn?.tableId === 'tbl_11').map((o) => o.id));
      const party = ok(await h.call('SearchOrders', { dineIn: { partyId: 'pty_0001' } })).data as any[];
      assert.ok(party.length > 0 && party.every((o) => o.details.dineIn.partyId === 'pty_0001'));
      const byRes = ok(await h.call('SearchOrders', { dineIn: { reservationId: 'res_0004' } })).data as any[];
      assert.deepEqual(byRes.map((o) => o.id), party.map((o) => o.id));
      const ben = ok(await h.call('SearchOrders', { dineIn: { waiterId: WAITERS.ben }, cursor: { limit: 100 } })).data as any[];
      assert.deepEqual(ben.map((o) => o.id), all.filter((o) => o.details.dineIn?.waiterId === WAITERS.ben).map((o) => o.id));

      // The requestor header: a known waiter sees their own orders, an unknown id sees everything,
      // and dineIn.waiterId wins over the header.
      const mine = ok(await h.call('SearchOrders', { cursor: { limit: 100 } }, { 'waiter-id': WAITERS.alice, 'device-type': 'Dojo Terminal' })).data as any[];
      assert.ok(mine.length > 0);
      assert.deepEqual(mine.map((o) => o.id), all.filter((o) => o.details.dineIn?.waiterId === WAITERS.alice).map((o) => o.id));
      const unknown = ok(await h.call('SearchOrders', { cursor: { limit: 100 } }, { 'waiter-id': 'w-unknown' })).data as any[];
      assert.equal(unknown.length, all.length);
      const explicit = ok(await h.call('SearchOrders', { dineIn: { waiterId: WAITERS.ben }, cursor: { limit: 100 } }, { 'waiter-id': WAITERS.alice })).data as any[];
      assert.deepEqual(explicit.map((o) => o.id), ben.map((o) => o.id));
    });

    test('SearchOrders pagination: after and before walks visit every order once; limit ≤ 100', async () => {
      const all = (ok(await h.call('SearchOrders', { cursor: { limit: 100 } })).data as any[]).map((o) => o.id);
      const dflt = ok(await h.call('SearchOrders', {}));
      assert.equal(dflt.data.length, Math.min(50, all.length), 'default limit 50');

      const forward: string[] = [];
      let page = ok(await h.call('SearchOrders', { cursor: { limit: 7 } }));
      assert.equal(page.before, undefined, 'nothing precedes the first page');
      let last = page;
      let pages = 1;
      forward.push(...page.data.map((o: any) => o.id));
      while (page.after) {
        assert.ok(page.data.length === 7);
        page = ok(await h.call('SearchOrders', { cursor: { limit: 7, after: page.after } }));
        assert.ok(page.before, 'a later page links back');
        forward.push(...page.data.map((o: any) => o.id));
        last = page;
        assert.ok(++pages < 50, 'the walk ends');
      }
      assert.equal(new Set(forward).size, forward.length, 'no repeats going forward');
      assert.deepEqual(forward, all);

      const backward: string[] = [...last.data.map((o: any) => o.id)].reverse();
      page = last;
      while (page.before) {
        page = ok(await h.call('SearchOrders', { cursor: { limit: 7, before: page.before } }));
        backward.push(...[...page.data.map((o: any) => o.id)].reverse());
        assert.ok(++pages < 100, 'the walk ends');
      }
      assert.equal(new Set(backward).size, backward.length, 'no repeats going back');
      assert.deepEqual(backward.reverse(), all);

      // A filtered walk keeps its filter.
      const payable: string[] = [];
      let pp = ok(await h.call('SearchOrders', { payableOnly: true, cursor: { limit: 4 } }));
      payable.push(...pp.data.map((o: any) => o.id));
      while (pp.after) {
        pp = ok(await h.call('SearchOrders', { payableOnly: true, cursor: { limit: 4, after: pp.after } }));
        payable.push(...pp.data.map((o: any) => o.id));
      }
      assert.deepEqual(payable, (ok(await h.call('SearchOrders', { payableOnly: true, cursor: { limit: 100 } })).data as any[]).map((o) => o.id));

      // Limits: above 100 is refused by the platform (the contract says maximum 100) and never reaches
      // the EPOS; 0 and both cursors are refused by the EPOS.
      const tooMany = await h.call('SearchOrders', { cursor: { limit: 101 } });
      assert.equal(tooMany.status, 400, tooMany.text);
      assert.equal(tooMany.body.error, 'VALIDATION_FAILED');
      assert.equal(tooMany.body.details[0].path, '$.cursor.limit');
      assertEposError(await h.call('SearchOrders', { cursor: { limit: 0 } }), 400, 'InvalidRequest');
      const first = ok(await h.call('SearchOrders', { cursor: { limit: 2 } }));
      const second = ok(await h.call('SearchOrders', { cursor: { limit: 2, after: first.after } }));
      assertEposError(await h.call('SearchOrders', { cursor: { after: first.after, before: second.before } }), 400, 'InvalidRequest');
      const tables = ok(await h.call('SearchTables', { cursor: { limit: 2 } }));
      assertEposError(await h.call('SearchOrders', { cursor: { after: tables.after } }), 400, 'InvalidRequest', /not a cursor/);
    });

    test('parties: SearchParties (active, completedOnly, tableId) and create/get/update/delete', async () => {
      const active = ok(await h.call('SearchParties', {})).data as any[];
      assert.deepEqual(active.map((p) => p.id), ['pty_0001', 'pty_0002', 'pty_0003']);
      assert.ok(active.every((p) => p.endTime === undefined));
      const done = ok(await h.call('SearchParties', { completedOnly: true })).data as any[];
      assert.deepEqual(done.map((p) => p.id), ['pty_0004']);
      assert.ok(done.every((p) => typeof p.endTime === 'string'));
      assert.deepEqual(ok(await h.call('SearchParties', { tableId: 'tbl_03' })).data.map((p: any) => p.id), ['pty_0001']);

      const create = {
        dojoPartyId: `dojo-pty-${transport}`,
        name: 'Okafor party',
        covers: 3,
        tableIds: ['tbl_12'],
        status: 'Seated',
        startTime: h.clock.iso(),
        expectedEndTime: h.clock.iso(90 * 60_000),
        hostNotes: 'birthday',
        deposit: { totalAmount: GBP(1500), paymentIntentIds: [`pi-dep-${transport}`] },
      };
      const party = ok(await h.call('CreateParty', create));
      assert.match(party.id, /^pty_/);
      assert.equal(party.name, 'Okafor party');
      assert.deepEqual(party.tableIds, ['tbl_12']);
      assert.deepEqual(party.deposit, create.deposit);
      assert.equal(ok(await h.call('CreateParty', create)).id, party.id, 'a repeated dojoPartyId returns the first party');
      assert.deepEqual(ok(await h.call('GetPartyById', { partyId: party.id })), party);
      assertEposError(await h.call('CreateParty', { ...create, dojoPartyId: `dojo-pty-${transport}-2` }), 409, 'Conflict', /occupied/);
      assertEposError(await h.call('CreateParty', { ...create, dojoPartyId: `dojo-pty-${transport}-3`, tableIds: ['tbl_99'] }), 400, 'InvalidRequest');

      const update = {
        id: party.id, dojoPartyId: create.dojoPartyId, name: 'Okafor party', covers: 4, tableIds: ['tbl_12'], status: 'Left',
        startTime: create.startTime, endTime: h.clock.iso(60 * 60_000),
      };
      const updated = ok(await h.call('UpdateParty', update));
      assert.equal(updated.id, party.id);
      assert.equal(updated.covers, 4);
      assert.equal(updated.status, 'Left');
      assert.equal(updated.endTime, update.endTime);
      assert.deepEqual(updated.deposit, create.deposit, 'the deposit is kept unless a new one is sent');
      assert.ok(ok(await h.call('SearchParties', { completedOnly: true })).data.some((p: any) => p.id === party.id));
      assert.ok(!ok(await h.call('SearchParties', {})).data.some((p: any) => p.id === party.id));
      // The table is free again.
      const next = ok(await h.call('CreateParty', { ...create, dojoPartyId: `dojo-pty-${transport}-4` }));
      assert.notEqual(next.id, party.id);

      assert.deepEqual(ok(await h.call('DeletePartyById', { partyId: party.id })) ?? {}, {});
      assertEposError(await h.call('GetPartyById', { partyId: party.id }), 404, 'NotFound');
      assertEposError(await h.call('UpdateParty', update), 404, 'NotFound');
      ok(await h.call('DeletePartyById', { partyId: next.id }));
    });

    test('reservations: SearchReservations by table and time window, and create/get/update/delete', async () => {
      const all = ok(await h.call('SearchReservations', {})).data as any[];
      assert.deepEqual(all.map((r) => r.id), ['res_0001', 'res_0002', 'res_0003', 'res_0004']);
      assert.deepEqual(ok(await h.call('SearchReservations', { tableId: 'tbl_01' })).data.map((r: any) => r.id), ['res_0001']);
      assert.deepEqual(ok(await h.call('SearchReservations', { tableId: 'tbl_03' })).data.map((r: any) => r.id), ['res_0004']);
      // res_0001 is at +3h…+5h, res_0002 at +4h…+6h, res_0004 at −30m…+90m, res_0003 tomorrow.
      const window = ok(await h.call('SearchReservations', { fromTime: h.clock.iso(150 * 60_000), toTime: h.clock.iso(210 * 60_000) })).data as any[];
      assert.deepEqual(window.map((r) => r.id), ['res_0001']);
      const tonight = ok(await h.call('SearchReservations', { fromTime: h.clock.iso(0), toTime: h.clock.iso(8 * 3600_000) })).data as any[];
      assert.deepEqual(tonight.map((r) => r.id), ['res_0001', 'res_0002', 'res_0004']);
      // The same instant in another offset.
      const plus2 = (ms: number) => new Date(h.clock.now().getTime() + ms + 2 * 3600_000).toISOString().replace('Z', '+02:00');
      const offset = ok(await h.call('SearchReservations', { fromTime: plus2(150 * 60_000), toTime: plus2(210 * 60_000) })).data as any[];
      assert.deepEqual(offset.map((r) => r.id), ['res_0001']);
      const combined = ok(await h.call('SearchReservations', { tableId: 'tbl_06', fromTime: h.clock.iso(0), toTime: h.clock.iso(8 * 3600_000) })).data as any[];
      assert.deepEqual(combined.map((r) => r.id), ['res_0002']);
      assertEposError(await h.call('SearchReservations', { fromTime: h.clock.iso(3600_000), toTime: h.clock.iso(0) }), 400, 'InvalidRequest');

      const create = {
        dojoReservationId: `dojo-res-${transport}`, name: 'Nakamura', covers: 2,
        startTime: h.clock.iso(30 * 3600_000), endTime: h.clock.iso(32 * 3600_000), tableIds: ['tbl_09'], guestRequests: 'quiet corner',
      };
      const res = ok(await h.call('CreateReservation', create));
      assert.match(res.id, /^res_/);
      assert.equal(res.name, 'Nakamura');
      assert.equal(ok(await h.call('CreateReservation', create)).id, res.id, 'a repeated dojoReservationId returns the first');
      assert.deepEqual(ok(await h.call('GetReservationById', { reservationId: res.id })), res);
      const found = ok(await h.call('SearchReservations', { tableId: 'tbl_09', fromTime: h.clock.iso(29 * 3600_000), toTime: h.clock.iso(31 * 3600_000) })).data as any[];
      assert.deepEqual(found.map((r) => r.id), [res.id]);
      assertEposError(await h.call('CreateReservation', { ...create, dojoReservationId: `dojo-res-${transport}-bad`, endTime: create.startTime }), 400, 'InvalidRequest');

      const updated = ok(await h.call('UpdateReservation', { ...create, id: res.id, covers: 5, tableIds: ['tbl_04'] }));
      assert.equal(updated.id, res.id);
      assert.equal(updated.covers, 5);
      assert.deepEqual(updated.tableIds, ['tbl_04']);
      assert.deepEqual(ok(await h.call('GetReservationById', { reservationId: res.id })), updated);
      assert.deepEqual(ok(await h.call('SearchReservations', { tableId: 'tbl_09', fromTime: h.clock.iso(29 * 3600_000), toTime: h.clock.iso(31 * 3600_000) })).data, []);

      assert.deepEqual(ok(await h.call('DeleteReservationById', { reservationId: res.id })) ?? {}, {});
      assertEposError(await h.call('GetReservationById', { reservationId: res.id }), 404, 'NotFound');
      assertEposError(await h.call('UpdateReservation', { ...create, id: res.id }), 404, 'NotFound');
    });

    test('HandleEvent through the dispatcher: acknowledged, a reversal takes the payment off, a repeated event id does nothing', async () => {
      const order = await newOrder('tbl_06');
      const intent = `pi-${transport}-ev`;
      const event = (id: string, name: string, paymentStatus: string) => ({
        id, accountId: h.tenant.accountId, event: name, createdAt: h.clock.iso(),
        data: { paymentIntentId: intent, paymentStatus, captureMode: 'Auto' },
      });
      const created = await h.p.dispatcher.invoke(h.tenant, 'HandleEvent:payment_intent.created', event(`ev-${transport}-1`, 'payment_intent.created', 'Created'));
      assert.equal(validateResult('HandleEvent:payment_intent.created', created), null);

      const fullyPaid = ok(await pay(order.id, intent, TOTAL));
      assert.equal(fullyPaid.status, 'Finalized');
      const reversal = event(`ev-${transport}-2`, 'payment_intent.status_updated', 'Reversed');
      const r1 = await h.p.dispatcher.invoke(h.tenant, 'HandleEvent:payment_intent.status_updated', reversal);
      assert.equal(validateResult('HandleEvent:payment_intent.status_updated', r1), null);
      const reopened = ok(await h.call('GetOrderById', { orderId: order.id }));
      assert.equal(reopened.paidAmount.value, 0);
      assert.equal(reopened.payments.length, 0);
      assert.equal(reopened.payable, true);
      assert.equal(reopened.status, 'Accepted', 'a finalised bill is open again');

      // The till takes the payment again under the same intent; the reversal is redelivered (same
      // event id) and must not take it off a second time.
      ok(await pay(order.id, intent, 1000));
      const r2 = await h.p.dispatcher.invoke(h.tenant, 'HandleEvent:payment_intent.status_updated', reversal);
      assert.equal(validateResult('HandleEvent:payment_intent.status_updated', r2), null);
      const after = ok(await h.call('GetOrderById', { orderId: order.id }));
      assert.equal(after.paidAmount.value, 1000, 'a repeated event id is acknowledged without effect');
      assert.equal(after.payments.length, 1);

      // A new event id with the same content is a new event.
      await h.p.dispatcher.invoke(h.tenant, 'HandleEvent:payment_intent.status_updated', { ...reversal, id: `ev-${transport}-3` });
      assert.equal(ok(await h.call('GetOrderById', { orderId: order.id })).paidAmount.value, 0);
    });

    test('every stable, non-event capability of the catalogue was exercised with a valid 200', () => {
      const names = PRODUCT_CAPABILITIES.map((c) => c.name);
      assert.ok(names.length >= 20, `${names.length} capabilities`);
      const missing = names.filter((n) => !h.exercised.has(n));
      assert.deepEqual(missing, [], `not exercised over ${transport}: ${missing.join(', ')}`);
      // The reference EPOS implements every stable capability, so it is registered for all of them.
      assert.deepEqual(h.ref.epos.capabilities.map((c) => c.name).filter((n) => !n.startsWith('HandleEvent:')), names);
    });
  });
}

behaviourSuite('ws');
behaviourSuite('rest');
