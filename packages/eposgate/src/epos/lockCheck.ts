// The lock in force on an order and the rule it enforces on writes. Order and payment writes check
// it; the lock capabilities themselves are in locks.ts.
import { EposError } from '@eposgate/sdk';
import type { Restaurant } from './restaurant.ts';

export interface LockRow {
  order_id: string;
  lock_id: string;
  expiry: string;
  created_at: string;
}

/** The lock in force on an order, if any; an expired lock is released on sight. */
export function activeLock(restaurant: Restaurant, orderId: string): LockRow | undefined {
  const row = restaurant.db.prepare('SELECT * FROM locks WHERE order_id = ?').get(orderId) as LockRow | undefined;
  if (!row) return undefined;
  if (Date.parse(row.expiry) <= restaurant.now().getTime()) {
    restaurant.db.prepare('DELETE FROM locks WHERE order_id = ?').run(orderId);
    return undefined;
  }
  return row;
}

/** Refuses a write to a locked order unless it carries the holder's lockId. */
export function assertWritable(restaurant: Restaurant, orderId: string, lockId: string | undefined, what: string): void {
  const lock = activeLock(restaurant, orderId);
  if (!lock || lock.lock_id === lockId) return;
  const who = lockId ? `lock ${lockId} does not hold it` : 'the request carries no lockId';
  throw new EposError('Conflict', `cannot ${what}: order ${orderId} is locked by lock ${lock.lock_id} until ${lock.expiry} and ${who}`);
}
