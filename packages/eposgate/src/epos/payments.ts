// Recording payments. `paymentIntentId` is the idempotency key: the same intent replayed for the
// same order and amounts answers the order unchanged. Partial payments accumulate; the payment
// that settles the bill finalises the order; a payment above the outstanding balance is refused.
import { randomUUID } from 'node:crypto';
import { EposError, type HandlerContext, type ParamsOf, type ResultOf } from '@eposgate/sdk';
import { fmt } from './money.ts';
import { assertWritable } from './lockCheck.ts';
import { getOrder, paidSoFar, requireOrderRow, touch } from './orders.ts';
import { iso, type Restaurant } from './restaurant.ts';

interface Recorded {
  order_id: string;
  paid: number;
  tips: number;
}

export function recordOrderPayment(restaurant: Restaurant, p: ParamsOf<'RecordOrderPaymentById'>, _ctx: HandlerContext): ResultOf<'RecordOrderPaymentById'> {
  const db = restaurant.db;
  const outcome = db.transaction(() => {
    const row = requireOrderRow(restaurant, p.orderId);
    const tips = p.tipsAmount?.value ?? 0;

    const seen = db.prepare('SELECT order_id, paid, tips FROM payments WHERE payment_intent_id = ?').get(p.paymentIntentId) as Recorded | undefined;
    // The `duplicates` fault: a known intent is recorded again as a new payment (paid twice).
    if (seen && !restaurant.fault?.('RecordOrderPaymentById', 'duplicates')) {
      if (seen.order_id !== p.orderId) {
        throw new EposError('Conflict', `payment intent ${p.paymentIntentId} is already recorded against order ${seen.order_id}`);
      }
      if (seen.paid !== p.paidAmount.value || seen.tips !== tips) {
        throw new EposError(
          'Conflict',
          `payment intent ${p.paymentIntentId} was recorded with ${fmt(seen.paid, row.currency)} (tips ${fmt(seen.tips, row.currency)}); this replay says ${fmt(p.paidAmount.value, row.currency)} (tips ${fmt(tips, row.currency)})`,
        );
      }
      return { changed: false };
    }

    if (p.paidAmount.currencyCode !== row.currency) {
      throw new EposError('InvalidRequest', `order ${p.orderId} is in ${row.currency}; the payment is in ${p.paidAmount.currencyCode}`);
    }
    if (p.tipsAmount && p.tipsAmount.currencyCode !== row.currency) {
      throw new EposError('InvalidRequest', `order ${p.orderId} is in ${row.currency}; the tip is in ${p.tipsAmount.currencyCode}`);
    }
    if (p.paidAmount.value <= 0) throw new EposError('InvalidRequest', 'paidAmount.value must be a positive number of minor units');
    if (tips < 0) throw new EposError('InvalidRequest', 'tipsAmount.value must not be negative');
    if (row.status === 'Canceled' || row.status === 'Failed') {
      throw new EposError('Conflict', `order ${p.orderId} is ${row.status}; no payment can be recorded`);
    }
    try {
      assertWritable(restaurant, p.orderId, p.lockId, 'record a payment');
    } catch (err) {
      if (!restaurant.fault?.('RecordOrderPaymentById', 'ignore-locks')) throw err; // the `ignore-locks` fault
    }

    const paid = paidSoFar(db, p.orderId);
    const outstanding = row.total - paid;
    if (p.paidAmount.value > outstanding) {
      throw new EposError(
        'InvalidRequest',
        `payment of ${fmt(p.paidAmount.value, row.currency)} exceeds the outstanding balance of ${fmt(outstanding, row.currency)} on order ${p.orderId} (total ${fmt(row.total, row.currency)}, already paid ${fmt(paid, row.currency)}); put any extra in tipsAmount`,
      );
    }
    db.prepare('INSERT INTO payments (order_id, payment_intent_id, paid, tips, lock_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      p.orderId, seen ? `${p.paymentIntentId}~again-${randomUUID()}` : p.paymentIntentId, p.paidAmount.value, tips, p.lockId ?? null, iso(restaurant.now()),
    );
    touch(restaurant, p.orderId, p.paidAmount.value === outstanding ? 'Finalized' : undefined);
    return { changed: true };
  })();
  if (outcome.changed) restaurant.changed({ eventType: 'OrderUpdated', event: { orderId: p.orderId } });
  return getOrder(restaurant, p.orderId);
}
