// Order locks: at most one per order, held by the lockId that created it until deleted or expired.
// While a lock is held, only writes carrying that lockId are accepted; reads are always allowed.
import { EposError, type HandlerContext, type ParamsOf, type ResultOf } from '@eposgate/sdk';
import { iso, type Restaurant } from './restaurant.ts';
import { activeLock } from './lockCheck.ts';
import { getOrder, requireOrderRow, isOpen } from './orders.ts';

function parseExpiry(restaurant: Restaurant, expiry: string): string {
  const t = Date.parse(expiry);
  if (Number.isNaN(t)) throw new EposError('InvalidRequest', `expiry ${JSON.stringify(expiry)} is not a date-time`);
  if (t <= restaurant.now().getTime()) throw new EposError('InvalidRequest', `expiry ${expiry} is already in the past`);
  return new Date(t).toISOString();
}

export function createOrderLock(restaurant: Restaurant, p: ParamsOf<'CreateOrderLock'>, _ctx: HandlerContext): ResultOf<'CreateOrderLock'> {
  return restaurant.db.transaction(() => {
    const row = requireOrderRow(restaurant, p.orderId);
    const lock = activeLock(restaurant, p.orderId);
    if (lock) {
      // The same lockId again is a retry of the call that created it: answer as then.
      if (lock.lock_id === p.lockId) return getOrder(restaurant, p.orderId);
      throw new EposError('Conflict', `order ${p.orderId} is already locked by lock ${lock.lock_id} until ${lock.expiry}`);
    }
    if (!isOpen(row.status)) throw new EposError('Conflict', `order ${p.orderId} is ${row.status} and cannot be locked`);
    const expiry = parseExpiry(restaurant, p.expiry);
    restaurant.db.prepare('INSERT INTO locks(order_id, lock_id, expiry, created_at) VALUES (?, ?, ?, ?)').run(p.orderId, p.lockId, expiry, iso(restaurant.now()));
    return getOrder(restaurant, p.orderId);
  })();
}

export function extendOrderLock(restaurant: Restaurant, p: ParamsOf<'ExtendOrderLock'>, _ctx: HandlerContext): ResultOf<'ExtendOrderLock'> {
  requireOrderRow(restaurant, p.orderId);
  const lock = activeLock(restaurant, p.orderId);
  if (!lock) throw new EposError('NotFound', `order ${p.orderId} holds no lock ${p.lockId} (never created, released or expired)`);
  if (lock.lock_id !== p.lockId) throw new EposError('Conflict', `order ${p.orderId} is locked by another lock (${lock.lock_id})`);
  const expiry = parseExpiry(restaurant, p.expiry);
  restaurant.db.prepare('UPDATE locks SET expiry = ? WHERE order_id = ?').run(expiry, p.orderId);
  return {};
}

export function deleteOrderLock(restaurant: Restaurant, p: ParamsOf<'DeleteOrderLock'>, _ctx: HandlerContext): ResultOf<'DeleteOrderLock'> {
  requireOrderRow(restaurant, p.orderId);
  const lock = activeLock(restaurant, p.orderId);
  // Releasing a lock that is already gone succeeds: a retried release must not fail the flow.
  if (lock && lock.lock_id !== p.lockId) throw new EposError('Conflict', `order ${p.orderId} is locked by another lock (${lock.lock_id})`);
  if (lock) restaurant.db.prepare('DELETE FROM locks WHERE order_id = ?').run(p.orderId);
  return getOrder(restaurant, p.orderId);
}
