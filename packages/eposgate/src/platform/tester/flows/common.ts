// Building blocks the flow modules share: getting an order to work on (created when the EPOS
// can create one), paging through a search, checking that a payment moved the order by exactly
// that payment, finding a free table.
import { randomUUID } from 'node:crypto';
import type { CreateOrderParams, Order, Payment } from '@eposgate/contract';
import type { CapabilityName, ParamsOf, ResultOf } from '@eposgate/contract';
import { Checker, amount, fail, money, repeats, show } from '../checks.ts';
import type { FlowRun, Step } from '../flow.ts';
import type { FlowDef, ParamDef } from '../types.ts';

export const CLOSED_STATUSES: readonly string[] = ['Finalized', 'Canceled', 'Failed'];

export const P = {
  orderIdOptional: {
    name: 'orderId', type: 'string', required: false,
    description: 'EPOS id of an open order to use; when empty the flow creates one with CreateOrder (or, without CreateOrder, picks the first payable order SearchOrders lists)',
  },
  currency: { name: 'currency', type: 'string', required: false, default: 'GBP', description: 'currency of the orders the flow creates (GBP or EUR)' },
  tableId: {
    name: 'tableId', type: 'string', required: false,
    description: 'table to use; when empty the flow picks one from SearchTables (a free one when SearchParties is registered)',
  },
  tipAmount: { name: 'tipAmount', type: 'integer', required: false, default: 150, description: 'tip in minor units added to the first payment' },
  maxPages: { name: 'maxPages', type: 'integer', required: false, default: 20, description: 'most pages a search is walked before the flow stops looking' },
} satisfies Record<string, ParamDef>;

export const isoIn = (ms: number): string => new Date(Date.now() + ms).toISOString();
export const testerId = (run: FlowRun, what: string): string => `tester-${what}-${run.id.slice(0, 8)}-${randomUUID().slice(0, 8)}`;

/** An order the tester can create: two items, paid later (or at once with `paid`). */
export function orderToCreate(run: FlowRun, opts: { tableId?: string; collection?: boolean; payments?: Payment[] } = {}): CreateOrderParams {
  const c = run.str('currency') ?? 'GBP';
  const items = [
    { name: 'Tester burger', plu: 'TST-BRG', quantity: 2, amountPerItem: money(1250, c) },
    { name: 'Tester lemonade', plu: 'TST-LEM', quantity: 1, amountPerItem: money(350, c) },
  ];
  return {
    items,
    totalAmount: money(2850, c),
    dojoOrderId: testerId(run, 'order'),
    payments: opts.payments ?? [],
    details: opts.collection
      ? { orderType: 'Collection', collection: { asap: true } }
      : { orderType: 'DineIn', dineIn: opts.tableId ? { tableId: opts.tableId } : {} },
    note: `created by the EPOS tester (flow ${run.id})`,
  };
}

/** Checks the order an EPOS answered is the one asked for. */
export function checkIsOrder(s: Step, capability: string, orderId: string, order: { id: string }, path = '$.id'): void {
  new Checker().equal(path, orderId, order.id, `is not the order asked for`).assert(`${capability} answered another order than ${orderId}`);
}

/** CreateOrder, checking the answer is the order sent: items, total, payments. */
export async function createOrder(run: FlowRun, name: string, params: CreateOrderParams): Promise<Order> {
  return run.step(name, async (s) => {
    const order = await s.call('CreateOrder', params as unknown as Record<string, unknown>);
    const c = new Checker()
      .that(typeof order.id === 'string' && order.id.length > 0, '$.id', 'must be the EPOS id of the new order', 'a non-empty string', order.id)
      .equal('$.totalAmount', params.totalAmount, order.totalAmount, 'is not the total sent')
      .that(order.items === undefined || order.items.length === params.items.length, '$.items.length', 'is not the number of items sent', params.items.length, order.items?.length);
    const paid = params.payments.reduce((t, p) => t + p.paidAmount.value, 0);
    for (const p of params.payments) {
      const i = (order.payments ?? []).findIndex((x) => x.paymentIntentId === p.paymentIntentId);
      c.that(i >= 0, '$.payments', `must list the payment ${p.paymentIntentId} sent with the order`, p, order.payments);
      if (i >= 0) c.equal(`$.payments[${i}].paidAmount`, p.paidAmount, order.payments![i].paidAmount, 'is not the amount of the payment sent');
    }
    if (order.paidAmount !== undefined) c.equal('$.paidAmount.value', paid, order.paidAmount.value, 'is not the sum of the payments sent');
    c.that(!CLOSED_STATUSES.includes(order.status) || paid === params.totalAmount.value, '$.status', 'a new order must be open', 'an open status', order.status);
    c.assert('CreateOrder did not answer the order that was sent');
    s.info(`created order ${order.id} (${params.totalAmount.value} ${params.totalAmount.currencyCode}, dojoOrderId ${params.dojoOrderId})`);
    return order;
  });
}

/** GetOrderById, checking it answers the order asked for. */
export async function getOrder(s: Step, orderId: string): Promise<Order> {
  const order = await s.call('GetOrderById', { orderId });
  checkIsOrder(s, 'GetOrderById', orderId, order);
  return order;
}

type Paged = 'SearchOrders' | 'SearchTables' | 'SearchParties' | 'SearchReservations';

export interface Walk<T> {
  items: T[];
  pages: T[][];
  /** Cursors answered with each page. */
  cursors: Array<{ before?: string; after?: string }>;
  complete: boolean;
}

/**
 * Pages through a search following `after`, checking no page is bigger than the limit and no id
 * comes back twice. Stops at `maxPages` (complete = false) or when `until` finds what it looks for.
 */
export async function walk<N extends Paged>(
  s: Step, capability: N, base: ParamsOf<N>, limit: number, maxPages: number,
  until?: (item: ResultOf<N>['data'][number]) => boolean,
): Promise<Walk<ResultOf<N>['data'][number]>> {
  type Item = ResultOf<N>['data'][number];
  const out: Walk<Item> = { items: [], pages: [], cursors: [], complete: false };
  let after: string | undefined;
  for (let n = 1; n <= maxPages; n++) {
    const params = { ...base, cursor: { limit, ...(after ? { after } : {}) } };
    const page = (await s.call(capability as CapabilityName, params as Record<string, unknown>)) as ResultOf<N>;
    const data = page.data as Item[];
    new Checker()
      .that(data.length <= limit, '$.data.length', `page ${n} holds more items than cursor.limit`, `at most ${limit}`, data.length)
      .that(!(after && data.length === 0 && page.after), '$.after', `page ${n} is empty but names a next page`, 'absent', page.after)
      .assert(`${capability} paging is broken`);
    const seen = out.items.map((x) => (x as { id: string }).id);
    const ids = data.map((x) => (x as { id: string }).id);
    const twice = repeats([...seen, ...ids]);
    if (twice.length) {
      const i = ids.indexOf(twice[0]);
      fail(`${capability} paging repeats items: page ${n} (after ${show(after)}) lists ${twice.join(', ')} again`, {
        path: `$.data[${i}].id`, message: 'was already listed on an earlier page', expected: 'an id not listed before', actual: twice[0],
      });
    }
    out.items.push(...data);
    out.pages.push(data);
    out.cursors.push({ before: page.before, after: page.after });
    if (until && data.some(until)) return out;
    if (!page.after) {
      out.complete = true;
      return out;
    }
    if (page.after === after) {
      fail(`${capability} answered the same after cursor twice`, { path: '$.after', message: 'does not move forward', expected: 'a new cursor', actual: page.after });
    }
    after = page.after;
  }
  s.info(`stopped after ${maxPages} pages (maxPages)`);
  return out;
}

/** Problems with an order listed by SearchOrders with payableOnly: true. */
export function checkPayable(c: Checker, o: Order, path: string): void {
  c.that(o.payable !== false, `${path}.payable`, `order ${o.id} is listed as payable but says it is not`, true, o.payable);
  c.that(!CLOSED_STATUSES.includes(o.status), `${path}.status`, `order ${o.id} is closed and cannot be paid`, 'an open status', o.status);
  if (o.paidAmount && o.totalAmount) {
    c.that(o.paidAmount.value < o.totalAmount.value, `${path}.paidAmount.value`, `order ${o.id} is already fully paid`, `less than totalAmount ${o.totalAmount.value}`, o.paidAmount.value);
  }
}

/** The params that pick orderToWorkOn's order. */
export const WORK_ON_ORDER_PARAMS: ParamDef[] = [P.orderIdOptional, P.currency, { ...P.maxPages, default: 5 }];

/**
 * The fields of a flow on orderToWorkOn's order: one way to get an order must be registered, the
 * flow uses both ways, and `uses` besides; its params are WORK_ON_ORDER_PARAMS unless it adds some.
 */
export function workOnOrder(uses: CapabilityName[] = [], params = WORK_ON_ORDER_PARAMS): Pick<FlowDef, 'requiresOneOf' | 'uses' | 'params'> {
  return { requiresOneOf: [['CreateOrder', 'SearchOrders']], uses: [...uses, 'CreateOrder', 'SearchOrders'], params };
}

/** The order a flow works on: the orderId param, else a new one (CreateOrder), else the first payable one. */
export async function orderToWorkOn(run: FlowRun, opts: { tableId?: string } = {}): Promise<{ orderId: string; created: boolean }> {
  const given = run.str('orderId');
  if (given) return { orderId: given, created: false };
  if (await run.has('CreateOrder')) {
    const order = await createOrder(run, 'Create an order to work on (CreateOrder)', orderToCreate(run, { tableId: opts.tableId }));
    return { orderId: order.id, created: true };
  }
  return run.step('Find a payable order to work on (SearchOrders)', async (s) => {
    const w = await walk(s, 'SearchOrders', { payableOnly: true }, 20, run.int('maxPages') || 5, (o) => o.payable !== false);
    const o = w.items.find((x) => x.payable !== false);
    if (!o) fail('no payable order found: give the orderId param, or register CreateOrder so the flow can create one');
    s.info(`using order ${o.id}`);
    return { orderId: o.id, created: false };
  });
}

/** A table to seat a party at or put an order on. */
export async function findTable(run: FlowRun, opts: { free: boolean }): Promise<string | undefined> {
  const given = run.str('tableId');
  if (given) return given;
  if (!(await run.has('SearchTables'))) return undefined;
  const checkFree = opts.free && (await run.has('SearchParties'));
  return run.step(checkFree ? 'Find a free table (SearchTables, SearchParties)' : 'Find a table (SearchTables)', async (s) => {
    const tables = await walk(s, 'SearchTables', {}, 50, run.int('maxPages') || 5);
    for (const t of tables.items) {
      if (!checkFree) {
        s.info(`using table ${t.id}`);
        return t.id;
      }
      const parties = await s.call('SearchParties', { tableId: t.id, cursor: { limit: 1 } });
      if (parties.data.length === 0) {
        s.info(`using table ${t.id}, which no party occupies`);
        return t.id;
      }
    }
    if (tables.items.length === 0) fail('SearchTables lists no table: give the tableId param');
    fail('every table is occupied: give the tableId param of a free table');
  });
}

export interface PaymentSent {
  paymentIntentId: string;
  paid: number;
  tips: number;
  lockId?: string;
}

/** RecordOrderPaymentById params of a payment. */
export function paymentParams(orderId: string, p: PaymentSent, currency: string): Record<string, unknown> {
  return {
    orderId,
    paymentIntentId: p.paymentIntentId,
    paidAmount: money(p.paid, currency),
    ...(p.tips ? { tipsAmount: money(p.tips, currency) } : {}),
    ...(p.lockId ? { lockId: p.lockId } : {}),
  };
}

/** The order after a payment must have moved by exactly that payment. */
export function checkPaymentApplied(before: Order, after: Order, p: PaymentSent): void {
  const c = new Checker().equal('$.id', before.id, after.id, 'is not the order the payment was recorded against');
  const list = after.payments ?? [];
  const i = list.findIndex((x) => x.paymentIntentId === p.paymentIntentId);
  c.that(i >= 0, '$.payments', `must list payment ${p.paymentIntentId}`, `an entry with paymentIntentId ${p.paymentIntentId}`, list.map((x) => x.paymentIntentId));
  if (i >= 0) {
    c.equal(`$.payments[${i}].paidAmount.value`, p.paid, list[i].paidAmount.value, 'is not the amount paid');
    c.equal(`$.payments[${i}].tipsAmount.value`, p.tips, amount(list[i].tipsAmount), 'is not the tip paid');
  }
  c.equal('$.payments.length', (before.payments?.length ?? 0) + 1, list.length, 'must grow by exactly one payment');
  if (after.paidAmount !== undefined || before.paidAmount !== undefined) {
    c.equal('$.paidAmount.value', amount(before.paidAmount) + p.paid, amount(after.paidAmount), `must move by exactly the payment (${amount(before.paidAmount)} + ${p.paid})`);
  }
  if (after.tipsAmount !== undefined || p.tips > 0) {
    c.equal('$.tipsAmount.value', amount(before.tipsAmount) + p.tips, amount(after.tipsAmount), `must move by exactly the tip (${amount(before.tipsAmount)} + ${p.tips}), never into paidAmount`);
  }
  c.equal('$.totalAmount', before.totalAmount, after.totalAmount, 'must not change when a payment is recorded');
  c.assert(`the order does not add up after payment ${p.paymentIntentId} of ${p.paid} (tip ${p.tips})`);
}

/** The money fields of an order, to see that a replay changed nothing. */
export function checkUnchanged(before: Order, after: Order, what: string): void {
  new Checker()
    .equal('$.paidAmount', before.paidAmount, after.paidAmount, `changed: ${what} must change nothing`)
    .equal('$.tipsAmount', before.tipsAmount, after.tipsAmount, `changed: ${what} must change nothing`)
    .equal('$.payments', before.payments, after.payments, `changed: ${what} must change nothing`)
    .assert(`${what} changed the order`);
}

/** What is left to pay on an order. */
export function outstanding(o: Order): number {
  return amount(o.totalAmount) - amount(o.paidAmount);
}
