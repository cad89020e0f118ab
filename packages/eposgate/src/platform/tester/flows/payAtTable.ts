// Pay at Table, as the terminal runs it: find the order (SearchOrders payableOnly), read it
// (GetOrderById), print the bill at any point (GetOrderBillById when registered), take a split
// payment with a tip and the rest (RecordOrderPaymentById), replay a payment; with locking the
// payments happen inside CreateOrderLock … [ExtendOrderLock] … DeleteOrderLock.
import { randomUUID } from 'node:crypto';
import type { Order } from '@eposgate/contract';
import { Checker, amount, fail } from '../checks.ts';
import type { FlowRun } from '../flow.ts';
import type { FlowDef } from '../types.ts';
import {
  P, checkIsOrder, checkPayable, checkPaymentApplied, checkUnchanged, findTable, getOrder, orderToWorkOn, outstanding, paymentParams,
  testerId, walk, workOnOrder, type PaymentSent,
} from './common.ts';

/** Long expiry when the EPOS cannot extend, short when it can (as Dojo does). */
const LONG_LOCK_MS = 10 * 60_000;
const SHORT_LOCK_MS = 2 * 60_000;

async function findAsTerminal(run: FlowRun, orderId: string, tableId: string | undefined): Promise<void> {
  const where = tableId ? ` on table ${tableId}` : '';
  await run.step(`Find order ${orderId}${where} among payable orders (SearchOrders payableOnly)`, async (s) => {
    const w = await walk(s, 'SearchOrders', { payableOnly: true, ...(tableId ? { dineIn: { tableId } } : {}) }, 50, run.int('maxPages'), (o) => o.id === orderId);
    const c = new Checker();
    w.pages.forEach((page, n) => page.forEach((o, i) => checkPayable(c, o, `$.data[${i}] (page ${n + 1})`)));
    c.that(w.items.some((o) => o.id === orderId), '$.data[*].id', `order ${orderId} is not listed as payable`, orderId, w.items.map((o) => o.id));
    c.assert('SearchOrders with payableOnly does not list the order as the terminal needs it');
  });
}

async function readOrder(run: FlowRun, orderId: string, name = `Get order ${orderId} (GetOrderById)`): Promise<Order> {
  return run.step(name, (s) => getOrder(s, orderId));
}

async function printBill(run: FlowRun, orderId: string, order: Order): Promise<void> {
  if (!(await run.has('GetOrderBillById'))) return;
  await run.step(`Print the bill (GetOrderBillById)`, async (s) => {
    const bill = await s.call('GetOrderBillById', { orderId });
    new Checker()
      .equal('$.order.id', orderId, bill.order.id, 'the bill is not for the order being paid')
      .equal('$.order.totalAmount', order.totalAmount, bill.order.totalAmount, 'the bill total differs from the order')
      .assert('GetOrderBillById answered a bill that does not match the order');
  });
}

/** The split: a first part with the tip, then the rest. */
function split(run: FlowRun, order: Order, lockId?: string): PaymentSent[] {
  const left = outstanding(order);
  if (left < 2) fail(`order ${order.id} has ${left} left to pay: the flow needs at least 2 minor units to split`, { path: '$.paidAmount.value', message: 'leaves too little to pay', expected: `less than ${amount(order.totalAmount) - 1}`, actual: amount(order.paidAmount) });
  const first = Math.floor(left / 2);
  const mk = (paid: number, tips: number): PaymentSent => ({ paymentIntentId: testerId(run, 'pi'), paid, tips, ...(lockId ? { lockId } : {}) });
  return [mk(first, run.int('tipAmount') || 0), mk(left - first, 0)];
}

async function pay(run: FlowRun, orderId: string, before: Order, p: PaymentSent, label: string): Promise<Order> {
  const currency = before.totalAmount?.currencyCode ?? run.str('currency') ?? 'GBP';
  return run.step(`${label}: ${p.paid}${p.tips ? ` + ${p.tips} tip` : ''} ${currency}${p.lockId ? ' under the lock' : ''} (RecordOrderPaymentById)`, async (s) => {
    const after = await s.call('RecordOrderPaymentById', paymentParams(orderId, p, currency));
    checkIsOrder(s, 'RecordOrderPaymentById', orderId, after);
    checkPaymentApplied(before, after, p);
    return after;
  });
}

async function replay(run: FlowRun, orderId: string, current: Order, p: PaymentSent): Promise<void> {
  const currency = current.totalAmount?.currencyCode ?? 'GBP';
  await run.step(`Replay the first payment ${p.paymentIntentId}: nothing may change (RecordOrderPaymentById)`, async (s) => {
    const again = await s.call('RecordOrderPaymentById', paymentParams(orderId, p, currency));
    checkIsOrder(s, 'RecordOrderPaymentById', orderId, again);
    checkUnchanged(current, again, `replaying payment ${p.paymentIntentId}`);
    const read = await getOrder(s, orderId);
    checkUnchanged(current, read, `replaying payment ${p.paymentIntentId}`);
  });
}

async function settled(run: FlowRun, orderId: string, after: Order): Promise<void> {
  await run.step('The paid order is no longer payable', async (s) => {
    const c = new Checker()
      .that(after.payable !== true, '$.payable', 'a fully paid order must not be payable', false, after.payable);
    if (after.paidAmount) c.equal('$.paidAmount.value', amount(after.totalAmount), after.paidAmount.value, 'must equal totalAmount once all is paid');
    c.assert(`order ${orderId} still looks payable after it was paid in full`);
    const w = await walk(s, 'SearchOrders', { payableOnly: true }, 50, run.int('maxPages'), (o) => o.id === orderId);
    if (w.items.some((o) => o.id === orderId)) {
      fail(`SearchOrders with payableOnly still lists order ${orderId} after it was paid in full`, { path: '$.data[*].id', message: 'a paid order is listed as payable', expected: 'absent', actual: orderId });
    }
  });
}

const PAT_PARAMS = [P.orderIdOptional, P.tableId, P.tipAmount, P.currency, P.maxPages];

export const payAtTableFlow: FlowDef = {
  name: 'Pay at Table',
  flowName: 'Pay at Table without locking through EPOS Data API',
  family: 'Pay at Table',
  description: 'The no-locking Pay at Table journey: find the order as payable, read it, print the bill when registered, pay it in two parts (the first with a tip), replay the first payment, check the order is settled and leaves payableOnly. Changes data: creates an order when no orderId is given, and pays it in full.',
  changesData: true,
  requires: ['SearchOrders', 'GetOrderById', 'RecordOrderPaymentById'],
  products: { 'Pay at Table': 'required' },
  uses: ['CreateOrder', 'GetOrderBillById', 'SearchTables'],
  faults: ['RecordOrderPaymentById:duplicates'],
  params: PAT_PARAMS,
  async run(run) {
    const tableId = run.str('orderId') ? undefined : await findTable(run, { free: false });
    const { orderId } = await orderToWorkOn(run, { tableId });
    await findAsTerminal(run, orderId, tableId);
    const order = await readOrder(run, orderId);
    await printBill(run, orderId, order);
    const [first, second] = split(run, order);
    const afterFirst = await pay(run, orderId, order, first, 'Pay the first part');
    await replay(run, orderId, afterFirst, first);
    const afterSecond = await pay(run, orderId, afterFirst, second, 'Pay the rest');
    await settled(run, orderId, afterSecond);
  },
};

/** Lock, check a second lock is refused and reads still work; answers the lock id and a release. */
async function lock(run: FlowRun, orderId: string, canExtend: boolean): Promise<{ lockId: string; release: () => Promise<Order> }> {
  const lockId = randomUUID();
  const expiry = new Date(Date.now() + (canExtend ? SHORT_LOCK_MS : LONG_LOCK_MS)).toISOString();
  await run.step(`Lock order ${orderId} until ${expiry} (CreateOrderLock)`, async (s) => {
    const locked = await s.call('CreateOrderLock', { orderId, lockId, expiry });
    checkIsOrder(s, 'CreateOrderLock', orderId, locked);
  });
  const dropCleanup = run.defer('Release the lock left behind (DeleteOrderLock)', (s) => s.call('DeleteOrderLock', { orderId, lockId }));
  await run.step('A second lock on the locked order is a Conflict (CreateOrderLock)', async (s) => {
    await s.expectError('CreateOrderLock', { orderId, lockId: randomUUID(), expiry }, ['Conflict']);
  });
  await readOrder(run, orderId, 'The locked order can still be read (GetOrderById)');
  return {
    lockId,
    release: () => run.step(`Release the lock (DeleteOrderLock)`, async (s) => {
      const after = await s.call('DeleteOrderLock', { orderId, lockId });
      checkIsOrder(s, 'DeleteOrderLock', orderId, after);
      dropCleanup();
      return after;
    }),
  };
}

async function extend(run: FlowRun, orderId: string, lockId: string): Promise<void> {
  const expiry = new Date(Date.now() + LONG_LOCK_MS).toISOString();
  await run.step(`Extend the lock until ${expiry} (ExtendOrderLock)`, async (s) => {
    await s.call('ExtendOrderLock', { orderId, lockId, expiry });
  });
}

export const payAtTableLockingFlow: FlowDef = {
  name: 'Pay at Table with Locking',
  flowName: 'Pay at Table with locking through EPOS Data API',
  family: 'Pay at Table',
  description: 'The locking Pay at Table journey: find and read the order, lock it (short expiry and ExtendOrderLock when registered, else a long one), check a second lock is a Conflict and reads still work, print the bill when registered, pay in two parts under the lock (tip on the first), replay a payment, release the lock. Changes data: creates an order when no orderId is given, and pays it in full.',
  changesData: true,
  requires: ['SearchOrders', 'GetOrderById', 'RecordOrderPaymentById', 'CreateOrderLock', 'DeleteOrderLock'],
  products: { 'Pay at Table': 'if registered' },
  uses: ['ExtendOrderLock', 'GetOrderBillById', 'CreateOrder', 'SearchTables'],
  faults: ['RecordOrderPaymentById:duplicates', 'CreateOrderLock:disconnect'],
  params: PAT_PARAMS,
  async run(run) {
    const canExtend = await run.has('ExtendOrderLock');
    const tableId = run.str('orderId') ? undefined : await findTable(run, { free: false });
    const { orderId } = await orderToWorkOn(run, { tableId });
    await findAsTerminal(run, orderId, tableId);
    const before = await readOrder(run, orderId);
    const l = await lock(run, orderId, canExtend);
    await printBill(run, orderId, before);
    const [first, second] = split(run, before, l.lockId);
    const afterFirst = await pay(run, orderId, before, first, 'Pay the first part');
    if (canExtend) await extend(run, orderId, l.lockId);
    await replay(run, orderId, afterFirst, first);
    const afterSecond = await pay(run, orderId, afterFirst, second, 'Pay the rest');
    const released = await l.release();
    await run.step('The order after release is the paid order', async () => {
      checkUnchanged(afterSecond, released, 'releasing the lock');
    });
    await settled(run, orderId, released);
  },
};

export const orderLockingFlow: FlowDef = {
  name: 'Order Locking',
  flowName: 'Order locking through EPOS Data API',
  family: 'Order locking',
  description: 'Locks an order, checks a second lock is a Conflict and reads still work, extends the lock when ExtendOrderLock is registered, releases it, then checks the order can be locked again (and releases that). Changes data only when no orderId is given and the flow creates an order; locks are always released.',
  changesData: true,
  requires: ['CreateOrderLock', 'DeleteOrderLock', 'GetOrderById'],
  products: { 'Pay at Table': 'if registered' },
  ...workOnOrder(['ExtendOrderLock']),
  faults: ['CreateOrderLock:error=Conflict#1'],
  async run(run) {
    const canExtend = await run.has('ExtendOrderLock');
    const { orderId } = await orderToWorkOn(run);
    const l = await lock(run, orderId, canExtend);
    if (canExtend) await extend(run, orderId, l.lockId);
    await l.release();
    const again = randomUUID();
    await run.step('Once released the order can be locked again (CreateOrderLock)', async (s) => {
      const locked = await s.call('CreateOrderLock', { orderId, lockId: again, expiry: new Date(Date.now() + LONG_LOCK_MS).toISOString() });
      checkIsOrder(s, 'CreateOrderLock', orderId, locked);
    });
    await run.step('Release the second lock (DeleteOrderLock)', async (s) => {
      checkIsOrder(s, 'DeleteOrderLock', orderId, await s.call('DeleteOrderLock', { orderId, lockId: again }));
    });
  },
};
