// Orders: reading them back as the contract's Order, searching, creating (Order and Pay) and
// cancelling.
import { EposError, type HandlerContext, type ParamsOf, type ResultOf } from '@eposgate/sdk';
import { compact, json, nextNumber, type Db } from './db.ts';
import { currenciesOf, discountsCost, fmt, itemsCost } from './money.ts';
import { pageQuery } from './paging.ts';
import { assertWritable } from './lockCheck.ts';
import { iso, type Discount, type Order, type OrderItem, type Payment, type Restaurant, type TaxLine } from './restaurant.ts';

export interface OrderRow {
  seq: number;
  id: string;
  reference: string | null;
  display_name: string | null;
  status: Order['status'];
  order_type: 'DineIn' | 'Collection';
  table_id: string | null;
  waiter_id: string | null;
  party_id: string | null;
  reservation_id: string | null;
  ready_at: string | null;
  collection: string | null;
  currency: string;
  items: string;
  discounts: string;
  tax_lines: string;
  service_charge: number;
  total: number;
  note: string | null;
  customer: string | null;
  dojo_order_id: string | null;
  created_at: string;
  updated_at: string;
}

interface PaymentRow {
  payment_intent_id: string | null;
  paid: number;
  tips: number;
}

const CLOSED: readonly string[] = ['Finalized', 'Canceled', 'Failed'];
export const isOpen = (status: string): boolean => !CLOSED.includes(status);

/** SQL for "still has something to pay", on the `orders` table. */
const PAYABLE_SQL = `status NOT IN ('Finalized','Canceled','Failed')
  AND total > (SELECT COALESCE(SUM(p.paid), 0) FROM payments p WHERE p.order_id = orders.id)`;

export function findOrderRow(db: Db, id: string): OrderRow | undefined {
  return db.prepare('SELECT * FROM orders WHERE id = ?').get(id) as OrderRow | undefined;
}

export function requireOrderRow(restaurant: Restaurant, id: string): OrderRow {
  const row = findOrderRow(restaurant.db, id);
  if (!row) throw new EposError('NotFound', `order ${id} does not exist`);
  return row;
}

export function paidSoFar(db: Db, orderId: string): number {
  return (db.prepare('SELECT COALESCE(SUM(paid), 0) AS s FROM payments WHERE order_id = ?').get(orderId) as { s: number }).s;
}

export function toOrder(db: Db, row: OrderRow): Order {
  const money = (value: number) => ({ value, currencyCode: row.currency });
  const payRows = db.prepare('SELECT payment_intent_id, paid, tips FROM payments WHERE order_id = ? ORDER BY seq').all(row.id) as PaymentRow[];
  const payments: Payment[] = payRows.map((p) =>
    compact({ paymentIntentId: p.payment_intent_id ?? undefined, paidAmount: money(p.paid), tipsAmount: p.tips > 0 ? money(p.tips) : undefined }),
  );
  const paid = payRows.reduce((s, p) => s + p.paid, 0);
  const tips = payRows.reduce((s, p) => s + p.tips, 0);
  const details: Order['details'] =
    row.order_type === 'DineIn'
      ? {
          orderType: 'DineIn',
          dineIn: compact({
            tableId: row.table_id ?? undefined,
            waiterId: row.waiter_id ?? undefined,
            partyId: row.party_id ?? undefined,
            reservationId: row.reservation_id ?? undefined,
            readyAt: row.ready_at ?? undefined,
          }),
        }
      : { orderType: 'Collection', collection: json(row.collection, {}) };
  return compact({
    id: row.id,
    reference: row.reference ?? undefined,
    displayName: row.display_name ?? undefined,
    status: row.status,
    details,
    items: json<OrderItem[]>(row.items, []),
    discounts: json<Discount[]>(row.discounts, []),
    taxLines: json<TaxLine[]>(row.tax_lines, []),
    serviceChargeAmount: money(row.service_charge),
    totalAmount: money(row.total),
    payments,
    paidAmount: money(paid),
    tipsAmount: money(tips),
    payable: isOpen(row.status) && paid < row.total,
    note: row.note ?? undefined,
    customer: row.customer ? json(row.customer, {}) : undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

export function getOrder(restaurant: Restaurant, id: string): Order {
  return toOrder(restaurant.db, requireOrderRow(restaurant, id));
}

export function touch(restaurant: Restaurant, id: string, status?: Order['status']): void {
  if (status) restaurant.db.prepare('UPDATE orders SET status = ?, updated_at = ? WHERE id = ?').run(status, iso(restaurant.now()), id);
  else restaurant.db.prepare('UPDATE orders SET updated_at = ? WHERE id = ?').run(iso(restaurant.now()), id);
}

function isKnownWaiter(db: Db, waiterId: string): boolean {
  return db.prepare('SELECT 1 FROM tables, json_each(tables.waiter_ids) w WHERE w.value = ? LIMIT 1').get(waiterId) !== undefined;
}

export function searchOrders(restaurant: Restaurant, p: ParamsOf<'SearchOrders'>, ctx: HandlerContext): ResultOf<'SearchOrders'> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (p.payableOnly) where.push(PAYABLE_SQL);
  const d = p.dineIn;
  if (d) {
    where.push("order_type = 'DineIn'");
    for (const [field, col] of [['tableId', 'table_id'], ['partyId', 'party_id'], ['reservationId', 'reservation_id'], ['waiterId', 'waiter_id']] as const) {
      if (d[field] !== undefined) {
        where.push(`${col} = ?`);
        args.push(d[field]);
      }
    }
  }
  // A waiter signed in on the device sees their own orders; an id the restaurant does not know
  // (a device without waiter set-up) sees everything.
  const headerWaiter = ctx.headers.waiterId;
  if (d?.waiterId === undefined && headerWaiter && isKnownWaiter(restaurant.db, headerWaiter)) {
    where.push('waiter_id = ?');
    args.push(headerWaiter);
  }
  const page = pageQuery<OrderRow>(restaurant.db, 'orders', 'orders', where, args, p.cursor);
  return compact({ data: page.rows.map((r) => toOrder(restaurant.db, r)), before: page.before, after: page.after });
}

export function getOrderById(restaurant: Restaurant, p: ParamsOf<'GetOrderById'>): ResultOf<'GetOrderById'> {
  return getOrder(restaurant, p.orderId);
}

export function cancelOrderById(restaurant: Restaurant, p: ParamsOf<'CancelOrderById'>): ResultOf<'CancelOrderById'> {
  const result = restaurant.db.transaction(() => {
    const row = requireOrderRow(restaurant, p.orderId);
    if (row.status === 'Canceled') return { order: toOrder(restaurant.db, row), changed: false };
    if (row.status === 'Finalized') throw new EposError('Conflict', `order ${p.orderId} is already Finalized and cannot be cancelled`);
    assertWritable(restaurant, p.orderId, undefined, 'cancel the order');
    const paid = paidSoFar(restaurant.db, p.orderId);
    if (paid > 0) {
      throw new EposError('Conflict', `order ${p.orderId} has ${fmt(paid, row.currency)} of payments recorded; refund them before cancelling`);
    }
    touch(restaurant, p.orderId, 'Canceled');
    return { order: getOrder(restaurant, p.orderId), changed: true };
  })();
  if (result.changed) restaurant.changed({ eventType: 'OrderUpdated', event: { orderId: p.orderId } });
  return result.order;
}

/** Creates an order sent by Order and Pay. A repeated dojoOrderId returns the order made the first time. */
export function createOrder(restaurant: Restaurant, p: ParamsOf<'CreateOrder'>, _ctx: HandlerContext): ResultOf<'CreateOrder'> {
  const db = restaurant.db;
  const existing = db.prepare('SELECT * FROM orders WHERE dojo_order_id = ?').get(p.dojoOrderId) as OrderRow | undefined;
  if (existing) return toOrder(db, existing);

  const currency = p.totalAmount.currencyCode;
  if (currency !== 'GBP' && currency !== 'EUR') throw new EposError('InvalidRequest', `currency ${currency} is not accepted; use GBP or EUR`);
  const discounts = p.discounts ?? [];
  const taxLines = p.taxLines ?? [];
  const others = [...currenciesOf(p.items, discounts), p.serviceChargeAmount?.currencyCode, ...p.payments.map((x) => x.paidAmount.currencyCode)]
    .filter((c): c is string => c !== undefined && c !== currency);
  if (others.length > 0) throw new EposError('InvalidRequest', `all amounts must be in ${currency}; found ${[...new Set(others)].join(', ')}`);
  if (p.items.length === 0) throw new EposError('InvalidRequest', 'an order needs at least one item');

  const service = p.serviceChargeAmount?.value ?? 0;
  const expected = itemsCost(p.items) - discountsCost(discounts) + service;
  const taxOnTop = taxLines.reduce((s, t) => s + t.amountTotal.value, 0);
  if (p.totalAmount.value !== expected && p.totalAmount.value !== expected + taxOnTop) {
    throw new EposError(
      'InvalidRequest',
      `totalAmount ${fmt(p.totalAmount.value, currency)} does not add up: items − discounts + service charge = ${fmt(expected, currency)}` +
        (taxOnTop ? ` (${fmt(expected + taxOnTop, currency)} with the tax lines on top)` : ''),
    );
  }
  const paid = p.payments.reduce((s, x) => s + x.paidAmount.value, 0);
  if (paid > p.totalAmount.value) {
    throw new EposError('InvalidRequest', `payments of ${fmt(paid, currency)} exceed the order total of ${fmt(p.totalAmount.value, currency)}`);
  }

  const dineIn = p.details.orderType === 'DineIn' ? (p.details.dineIn ?? {}) : undefined;
  let waiterId = dineIn?.waiterId;
  if (dineIn?.tableId) {
    const table = db.prepare('SELECT waiter_ids FROM tables WHERE id = ?').get(dineIn.tableId) as { waiter_ids: string } | undefined;
    if (!table) throw new EposError('InvalidRequest', `table ${dineIn.tableId} does not exist`);
    waiterId ??= json<string[]>(table.waiter_ids, [])[0];
  }
  for (const pay of p.payments) {
    if (pay.paymentIntentId && db.prepare('SELECT 1 FROM payments WHERE payment_intent_id = ?').get(pay.paymentIntentId)) {
      throw new EposError('Conflict', `payment intent ${pay.paymentIntentId} is already recorded against another order`);
    }
  }

  const id = db.transaction(() => {
    const n = nextNumber(db, 'order');
    const orderId = `ord_${String(n).padStart(4, '0')}`;
    const now = iso(restaurant.now());
    db.prepare(
      `INSERT INTO orders (id, reference, display_name, status, order_type, table_id, waiter_id, party_id, reservation_id, ready_at,
        collection, currency, items, discounts, tax_lines, service_charge, total, note, customer, dojo_order_id, created_at, updated_at)
       VALUES (?, ?, ?, 'Accepted', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      orderId, p.reference ?? `OP-${n}`, p.displayName ?? null, p.details.orderType,
      dineIn?.tableId ?? null, waiterId ?? null, dineIn?.partyId ?? null, dineIn?.reservationId ?? null, dineIn?.readyAt ?? null,
      p.details.collection ? JSON.stringify(p.details.collection) : null, currency,
      JSON.stringify(p.items), JSON.stringify(discounts), JSON.stringify(taxLines), service, p.totalAmount.value,
      p.note ?? null, p.customer ? JSON.stringify(p.customer) : null, p.dojoOrderId, now, now,
    );
    const ins = db.prepare('INSERT INTO payments (order_id, payment_intent_id, paid, tips, recorded_at) VALUES (?, ?, ?, ?, ?)');
    for (const pay of p.payments) ins.run(orderId, pay.paymentIntentId ?? null, pay.paidAmount.value, pay.tipsAmount?.value ?? 0, now);
    return orderId;
  })();
  restaurant.changed({ eventType: 'OrderUpdated', event: { orderId: id } });
  return getOrder(restaurant, id);
}
