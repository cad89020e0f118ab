// The product journeys a simulated terminal runs, built from the catalogue's capabilities, each on
// its own data (its own order, its own table lease) so journeys never collide, and each checking
// the money and booking rules as it goes. A failed call ends the journey; a failed check is
// counted and the journey goes on, so one run shows every rule the EPOS breaks under load.
import { randomUUID } from 'node:crypto';
import type { Caller } from './caller.ts';
import type { Recorder } from './stats.ts';

export type JourneyName = 'pay-at-table' | 'order-and-pay' | 'bookings';
export const JOURNEYS: readonly JourneyName[] = ['pay-at-table', 'order-and-pay', 'bookings'];

/** What a journey needs registered, and what it uses when registered. */
export const NEEDS: Record<JourneyName, { requires: string[]; uses: string[] }> = {
  'pay-at-table': { requires: ['SearchOrders', 'GetOrderById', 'RecordOrderPaymentById'], uses: ['CreateOrder', 'GetOrderBillById', 'SearchTables', 'ExtendOrderLock'] },
  'order-and-pay': { requires: ['CreateOrder', 'GetOrderById', 'RecordOrderPaymentById'], uses: [] },
  // A seated party holds its table until deleted, so bookings needs DeletePartyById to give it back.
  bookings: { requires: ['CreateReservation', 'CreateParty', 'DeletePartyById', 'SearchTables'], uses: ['GetReservationById', 'GetPartyById', 'DeleteReservationById', 'SearchParties'] },
};
/** With --locks, pay-at-table also needs these. */
export const LOCK_CAPABILITIES = ['CreateOrderLock', 'DeleteOrderLock'];

/** A call that failed: the journey stops (the failure is already counted by its outcome). */
export class CallFailed extends Error {
  constructor(readonly capability: string, readonly outcome: string, message: string) {
    super(`${capability}: ${outcome} ${message}`);
  }
}

/** Journey data that cannot be had (no payable order left, no free table): the journey is an error. */
export class NoData extends Error {}

/** Everything a journey needs, shared by all terminals of one run. */
export interface Setting {
  caller: Caller;
  recorder: Recorder;
  registered: ReadonlySet<string>;
  locks: boolean;
  currency: string;
  /** A prefix unique to the run, for dojo ids and payment intents. */
  runId: string;
  /** Tables orders are put on (round robin). */
  tables: string[];
  /** Free tables a bookings journey leases for its party. */
  freeTables: TableLeases;
  /** Without CreateOrder: payable orders not yet taken by a journey. */
  orderPool: string[];
}

/** One journey's view: every call is timed and counted, every check counted when it fails. */
export class Journey {
  constructor(readonly s: Setting, readonly n: number) {}

  has(capability: string): boolean {
    return this.s.registered.has(capability);
  }

  id(what: string): string {
    return `${this.s.runId}-${what}-${this.n}`;
  }

  async call(capability: string, params: Record<string, unknown>): Promise<any> {
    const start = this.s.recorder.now();
    const r = await this.s.caller.call(capability, params);
    this.s.recorder.call(capability, start, r.ok ? 'ok' : r.outcome, r.ok ? undefined : r.message);
    if (!r.ok) throw new CallFailed(capability, r.outcome, r.message);
    return r.result;
  }

  checkFailed = false;

  /** Counts a broken rule when `ok` is false. */
  check(ok: boolean, rule: string, detail: () => string): boolean {
    if (!ok) {
      this.checkFailed = true;
      this.s.recorder.checkFailed(rule, detail());
    }
    return ok;
  }
}

const value = (m: { value?: number } | undefined | null): number => m?.value ?? 0;
const money = (v: number, currencyCode: string) => ({ value: v, currencyCode });

function orderParams(j: Journey, opts: { tableId?: string; collection?: boolean }) {
  const c = j.s.currency;
  return {
    items: [
      { name: 'Load burger', plu: 'LD-BRG', quantity: 2, amountPerItem: money(1250, c) },
      { name: 'Load lemonade', plu: 'LD-LEM', quantity: 1, amountPerItem: money(350, c) },
    ],
    totalAmount: money(2850, c),
    dojoOrderId: j.id('order'),
    payments: [],
    details: opts.collection
      ? { orderType: 'Collection', collection: { asap: true } }
      : { orderType: 'DineIn', dineIn: opts.tableId ? { tableId: opts.tableId } : {} },
    note: 'created by eposgate load',
  };
}

interface Order { id: string; payable?: boolean; totalAmount?: { value: number; currencyCode?: string }; paidAmount?: { value: number }; tipsAmount?: { value: number }; payments?: Array<{ paymentIntentId: string }> }

/** Pays `part` (+ `tip`) and checks the order moved by exactly that payment. */
async function pay(j: Journey, before: Order, part: number, tip: number, lockId?: string): Promise<{ after: Order; params: Record<string, unknown> }> {
  // A picked order may be in another currency than the ones the journeys create.
  const currency = before.totalAmount?.currencyCode ?? j.s.currency;
  const params = {
    orderId: before.id, paymentIntentId: j.id(`pi${before.payments?.length ?? 0}-${randomUUID().slice(0, 6)}`),
    paidAmount: money(part, currency), ...(tip ? { tipsAmount: money(tip, currency) } : {}), ...(lockId ? { lockId } : {}),
  };
  const after = (await j.call('RecordOrderPaymentById', params)) as Order;
  j.check(value(after.paidAmount) === value(before.paidAmount) + part, 'a payment moves paidAmount by exactly its amount',
    () => `order ${before.id}: paidAmount ${value(before.paidAmount)} + ${part} answered ${value(after.paidAmount)}`);
  j.check((after.payments?.length ?? 0) === (before.payments?.length ?? 0) + 1, 'a payment adds exactly one entry to payments',
    () => `order ${before.id}: ${before.payments?.length ?? 0} payments became ${after.payments?.length ?? 0}`);
  if (tip) {
    j.check(value(after.tipsAmount) === value(before.tipsAmount) + tip, 'a tip moves tipsAmount by exactly the tip',
      () => `order ${before.id}: tipsAmount ${value(before.tipsAmount)} + ${tip} answered ${value(after.tipsAmount)}`);
  }
  return { after, params };
}

/** Replays a payment: the order must not change (the EPOS keys payments by paymentIntentId). */
async function replay(j: Journey, current: Order, params: Record<string, unknown>): Promise<void> {
  const again = (await j.call('RecordOrderPaymentById', params)) as Order;
  j.check(value(again.paidAmount) === value(current.paidAmount) && (again.payments?.length ?? 0) === (current.payments?.length ?? 0),
    'a replayed paymentIntentId changes nothing',
    () => `order ${current.id}: replaying ${String(params.paymentIntentId)} moved paidAmount ${value(current.paidAmount)} → ${value(again.paidAmount)}, payments ${current.payments?.length ?? 0} → ${again.payments?.length ?? 0}`);
}

function settled(j: Journey, o: Order): void {
  j.check(o.payable !== true, 'payable is false once paid in full', () => `order ${o.id}: payable ${String(o.payable)} after full payment`);
  j.check(value(o.paidAmount) === value(o.totalAmount), 'paidAmount equals totalAmount once paid in full',
    () => `order ${o.id}: paidAmount ${value(o.paidAmount)}, totalAmount ${value(o.totalAmount)}`);
}

async function payAtTable(j: Journey): Promise<void> {
  let orderId: string;
  let tableId: string | undefined;
  if (j.has('CreateOrder')) {
    tableId = j.s.tables.length ? j.s.tables[j.n % j.s.tables.length] : undefined;
    orderId = ((await j.call('CreateOrder', orderParams(j, { tableId }))) as Order).id;
  } else {
    const taken = j.s.orderPool.shift();
    if (!taken) throw new NoData('no payable order left to pay (register CreateOrder, or run fewer journeys)');
    orderId = taken;
  }
  // The terminal finds the bill as a waiter would: the table's payable orders, page by page.
  let found = false;
  let after: string | undefined;
  for (let page = 0; page < 5 && !found; page++) {
    const res = await j.call('SearchOrders', { payableOnly: true, ...(tableId ? { dineIn: { tableId } } : {}), cursor: { limit: 50, ...(after ? { after } : {}) } });
    found = (res.data as Order[]).some((o) => o.id === orderId);
    after = res.after;
    if (!after) {
      j.check(found, 'an unpaid order is listed by SearchOrders payableOnly', () => `order ${orderId} is not listed${tableId ? ` on table ${tableId}` : ''}`);
      break;
    }
  }
  const order = (await j.call('GetOrderById', { orderId })) as Order;
  j.check(order.id === orderId, 'GetOrderById answers the order asked for', () => `asked ${orderId}, answered ${order.id}`);
  if (j.has('GetOrderBillById')) await j.call('GetOrderBillById', { orderId });
  const left = value(order.totalAmount) - value(order.paidAmount);
  if (left < 2) throw new NoData(`an order to pay had less than 2 minor units left to pay (order ${orderId}: ${left})`);
  let lockId: string | undefined;
  if (j.s.locks) {
    lockId = randomUUID();
    await j.call('CreateOrderLock', { orderId, lockId, expiry: new Date(Date.now() + 2 * 60_000).toISOString() });
  }
  try {
    const first = Math.floor(left / 2);
    const a = await pay(j, order, first, 100, lockId);
    // A short lock extended mid-payment, as a terminal does while the card is read.
    if (lockId && j.has('ExtendOrderLock')) await j.call('ExtendOrderLock', { orderId, lockId, expiry: new Date(Date.now() + 10 * 60_000).toISOString() });
    await replay(j, a.after, a.params);
    const b = await pay(j, a.after, left - first, 0, lockId);
    settled(j, b.after);
  } finally {
    if (lockId) {
      const held = lockId;
      lockId = undefined;
      await j.call('DeleteOrderLock', { orderId, lockId: held });
    }
  }
}

async function orderAndPay(j: Journey): Promise<void> {
  const created = (await j.call('CreateOrder', orderParams(j, { collection: true }))) as Order;
  const read = (await j.call('GetOrderById', { orderId: created.id })) as Order;
  j.check(value(read.totalAmount) === 2850, 'an order keeps the total it was created with', () => `order ${created.id}: totalAmount ${value(read.totalAmount)}, sent 2850`);
  const left = value(read.totalAmount) - value(read.paidAmount);
  const a = await pay(j, read, left, 0);
  settled(j, a.after);
  await replay(j, a.after, a.params);
  const final = (await j.call('GetOrderById', { orderId: created.id })) as Order;
  settled(j, final);
}

async function bookings(j: Journey): Promise<void> {
  const tableId = await j.s.freeTables.take();
  try {
    const start = new Date(Date.now() + 24 * 3600_000 + (j.n % 3600) * 1000);
    start.setUTCMilliseconds(0);
    const booking = { dojoReservationId: j.id('reservation'), name: `Load guest ${j.n}`, covers: 2, startTime: start.toISOString(), endTime: new Date(start.getTime() + 2 * 3600_000).toISOString(), tableIds: [tableId] };
    const res = await j.call('CreateReservation', booking);
    j.check(res.covers === 2 && JSON.stringify(res.tableIds) === JSON.stringify([tableId]), 'a reservation keeps the covers and tables it was made with',
      () => `reservation ${res.id}: covers ${res.covers}, tables ${JSON.stringify(res.tableIds)}`);
    if (j.has('GetReservationById')) {
      const r = await j.call('GetReservationById', { reservationId: res.id });
      j.check(r.id === res.id, 'GetReservationById answers the reservation asked for', () => `asked ${res.id}, answered ${r.id}`);
    }
    const party = await j.call('CreateParty', { dojoPartyId: j.id('party'), name: booking.name, covers: 2, tableIds: [tableId], status: 'Seated', startTime: new Date().toISOString(), reservationId: res.id, dojoReservationId: booking.dojoReservationId });
    j.check(party.reservationId === res.id, 'a party seated for a reservation carries its reservationId', () => `party ${party.id}: reservationId ${String(party.reservationId)}, expected ${res.id}`);
    if (j.has('GetPartyById')) {
      const p = await j.call('GetPartyById', { partyId: party.id });
      j.check(p.id === party.id && p.covers === 2, 'GetPartyById answers the party as seated', () => `party ${party.id}: answered ${p.id} with ${p.covers} covers`);
    }
    await j.call('DeletePartyById', { partyId: party.id });
    if (j.has('DeleteReservationById')) await j.call('DeleteReservationById', { reservationId: res.id });
  } finally {
    j.s.freeTables.give(tableId);
  }
}

export const RUN: Record<JourneyName, (j: Journey) => Promise<void>> = { 'pay-at-table': payAtTable, 'order-and-pay': orderAndPay, bookings };

/** Free tables handed to one bookings journey at a time; a journey waits for one when all are seated. */
export class TableLeases {
  #free: string[];
  #waiting: Array<(t: string) => void> = [];
  constructor(tables: string[]) {
    this.#free = [...tables];
  }
  get size(): number {
    return this.#free.length;
  }
  take(): Promise<string> {
    const t = this.#free.shift();
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  give(t: string): void {
    const w = this.#waiting.shift();
    if (w) w(t);
    else this.#free.push(t);
  }
}
