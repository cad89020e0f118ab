// Dojo events (HandleEvent). Delivery is at-least-once, so each event id is handled once: a
// repeated id is acknowledged and changes nothing. A payment intent reversed or cancelled after
// its payment was recorded takes that payment off its order again.
import type { ParamsOf, ResultOf } from '@eposgate/sdk';
import { findOrderRow, touch } from './orders.ts';
import { iso, type Restaurant } from './restaurant.ts';

type EventParams = ParamsOf<'HandleEvent:payment_intent.status_updated'>;

const UNDOES_PAYMENT = ['Reversed', 'Canceled'];

export function handleEvent(restaurant: Restaurant, p: EventParams): ResultOf<'HandleEvent:payment_intent.status_updated'> {
  const db = restaurant.db;
  const changedOrder = db.transaction((): string | undefined => {
    const now = iso(restaurant.now());
    const fresh = db.prepare('INSERT INTO events (id, event, payment_intent_id, payment_status, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING')
      .run(p.id, p.event, p.data.paymentIntentId, p.data.paymentStatus, now);
    // Seen before: acknowledged, nothing done (unless the `duplicates` fault applies it again).
    if (fresh.changes === 0 && !restaurant.fault?.(`HandleEvent:${p.event}`, 'duplicates')) return undefined;
    db.prepare(
      'INSERT INTO payment_intents (id, status, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at',
    ).run(p.data.paymentIntentId, p.data.paymentStatus, now);
    if (!UNDOES_PAYMENT.includes(p.data.paymentStatus)) return undefined;
    const pay = db.prepare('SELECT order_id FROM payments WHERE payment_intent_id = ?').get(p.data.paymentIntentId) as { order_id: string } | undefined;
    if (!pay) return undefined;
    db.prepare('DELETE FROM payments WHERE payment_intent_id = ?').run(p.data.paymentIntentId);
    const row = findOrderRow(db, pay.order_id);
    // A bill finalised by that payment is open again.
    touch(restaurant, pay.order_id, row && row.status === 'Finalized' ? 'Accepted' : undefined);
    return pay.order_id;
  })();
  if (changedOrder) restaurant.changed({ eventType: 'OrderUpdated', event: { orderId: changedOrder } });
  return {};
}
