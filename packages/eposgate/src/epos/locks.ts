// Order locks: at most one per order, held by the lockId that created it until deleted or expired.
// While a lock is held, only writes carrying that lockId are accepted; reads are always allowed.
import { EposError, type HandlerContext, type ParamsOf, type ResultOf } from '@eposgate/sdk';
import { iso, type Store } from './store.ts';
import { activeLock } from './lockCheck.ts';
import { getOrder, requireOrderRow, isOpen } from './orders.ts';

function parseExpiry(store: Store, expiry: string): string {
  const t = Date.parse(expiry);
  if (Number.isNaN(t)) throw new EposError('InvalidRequest', `expiry ${JSON.stringify(expiry)} is not a date-time`);
  if (t <= store.now().getTime()) throw new EposError('InvalidRequest', `expiry ${expiry} is already in the past`);
  return new Date(t).toISOString();
}

export function createOrderLock(store: Store, p: ParamsOf<'CreateOrderLock'>, _ctx: HandlerContext): ResultOf<'CreateOrderLock'> {
  return store.db.transaction(() => {
    const row = requireOrderRow(store, p.orderId);
    const lock = activeLock(store, p.orderId);
    if (lock) {
      // The same lockId again is a retry of the call that created it: answer as then.
      if (lock.lock_id === p.lockId) return getOrder(store, p.orderId);
      throw new EposError('Conflict', `order ${p.orderId} is already locked by lock ${lock.lock_id} until ${lock.expiry}`);
    }
    if (!isOpen(row.status)) throw new EposError('Conflict', `order ${p.orderId} is ${row.status} and cannot be locked`);
    const expiry = parseExpiry(store, p.expiry);
    store.db.prepare('INSERT INTO locks(order_id, lock_id, expiry, created_at) VALUES (?, ?, ?, ?)').run(p.orderId, p.lockId, expiry, iso(store.now()));
    return getOrder(store, p.orderId);
  })();
}

export function extendOrderLock(store: Store, p: ParamsOf<'ExtendOrderLock'>, _ctx: HandlerContext): ResultOf<'ExtendOrderLock'> {
  requireOrderRow(store, p.orderId);
  const lock = activeLock(store, p.orderId);
  if (!lock) throw new EposError('NotFound', `order ${p.orderId} holds no lock ${p.lockId} (never created, released or expired)`);
  if (lock.lock_id !== p.lockId) throw new EposError('Conflict', `order ${p.orderId} is locked by another lock (${lock.lock_id})`);
  const expiry = parseExpiry(store, p.expiry);
  store.db.prepare('UPDATE locks SET expiry = ? WHERE order_id = ?').run(expiry, p.orderId);
  return {};
}

export function deleteOrderLock(store: Store, p: ParamsOf<'DeleteOrderLock'>, _ctx: HandlerContext): ResultOf<'DeleteOrderLock'> {
  requireOrderRow(store, p.orderId);
  const lock = activeLock(store, p.orderId);
  // Releasing a lock that is already gone succeeds: a retried release must not fail the flow.
  if (lock && lock.lock_id !== p.lockId) throw new EposError('Conflict', `order ${p.orderId} is locked by another lock (${lock.lock_id})`);
  if (lock) store.db.prepare('DELETE FROM locks WHERE order_id = ?').run(p.orderId);
  return getOrder(store, p.orderId);
}
