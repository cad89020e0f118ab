import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRest, assertContract } from './helpers.ts';

const inMinutes = (h: { clock: { now(): Date } }, m: number) => new Date(h.clock.now().getTime() + m * 60_000).toISOString();
const pay = (id: string, value: number, lockId?: string) => ({ paymentIntentId: id, paidAmount: { value, currencyCode: 'GBP' }, ...(lockId ? { lockId } : {}) });

test('a second lock on a locked order is a Conflict; the same lockId again is a retry', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  const first = await h.call('POST', '/v1/orders/ord_0001/lock', { lockId: 'lock-1', expiry: inMinutes(h, 5) });
  assert.equal(first.status, 200);
  assertContract('CreateOrderLock', first.body);
  assert.equal(first.body.id, 'ord_0001');
  const other = await h.call('POST', '/v1/orders/ord_0001/lock', { lockId: 'lock-2', expiry: inMinutes(h, 5) });
  assert.equal(other.status, 409);
  assert.equal(other.body.errorType, 'Conflict');
  assert.match(other.body.debugMessage, /lock-1/);
  const retry = await h.call('POST', '/v1/orders/ord_0001/lock', { lockId: 'lock-1', expiry: inMinutes(h, 5) });
  assert.equal(retry.status, 200);
});

test('while locked only the lock holder writes; reads always work', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  await h.call('POST', '/v1/orders/ord_0002/lock', { lockId: 'L', expiry: inMinutes(h, 5) });

  assert.equal((await h.call('GET', '/v1/orders/ord_0002')).status, 200);
  assert.equal((await h.call('GET', '/v1/orders/ord_0002/bill')).status, 200);
  const search = await h.call('POST', '/v1/orders/search', { dineIn: { tableId: 'tbl_02' } });
  assert.ok(search.body.data.some((o: any) => o.id === 'ord_0002'));

  const noLock = await h.call('POST', '/v1/orders/ord_0002/record-payment', pay('pi_1', 100));
  assert.equal(noLock.status, 409);
  const wrong = await h.call('POST', '/v1/orders/ord_0002/record-payment', pay('pi_1', 100, 'not-mine'));
  assert.equal(wrong.status, 409);
  const cancel = await h.call('DELETE', '/v1/orders/ord_0002');
  assert.equal(cancel.status, 409);
  const holder = await h.call('POST', '/v1/orders/ord_0002/record-payment', pay('pi_1', 100, 'L'));
  assert.equal(holder.status, 200);
  assert.equal(holder.body.paidAmount.value, 100);

  const extend = await h.call('PUT', '/v1/orders/ord_0002/locks/L', { expiry: inMinutes(h, 10) });
  assert.equal(extend.status, 200);
  assert.deepEqual(extend.body, {});
  assertContract('ExtendOrderLock', extend.body);
  assert.equal((await h.call('PUT', '/v1/orders/ord_0002/locks/other', { expiry: inMinutes(h, 10) })).status, 409);
  assert.equal((await h.call('DELETE', '/v1/orders/ord_0002/locks/other')).status, 409);

  const released = await h.call('DELETE', '/v1/orders/ord_0002/locks/L');
  assert.equal(released.status, 200);
  assertContract('DeleteOrderLock', released.body);
  assert.equal((await h.call('DELETE', '/v1/orders/ord_0002/locks/L')).status, 200, 'releasing twice is harmless');
  assert.equal((await h.call('PUT', '/v1/orders/ord_0002/locks/L', { expiry: inMinutes(h, 10) })).status, 404);
  const after = await h.call('POST', '/v1/orders/ord_0002/record-payment', pay('pi_2', 100));
  assert.equal(after.status, 200, 'unlocked orders take payments without a lockId');
});

test('an expired lock no longer blocks anyone', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  await h.call('POST', '/v1/orders/ord_0004/lock', { lockId: 'old', expiry: inMinutes(h, 1) });
  assert.equal((await h.call('POST', '/v1/orders/ord_0004/lock', { lockId: 'new', expiry: inMinutes(h, 5) })).status, 409);
  h.clock.advance(61_000);
  assert.equal((await h.call('POST', '/v1/orders/ord_0004/lock', { lockId: 'new', expiry: inMinutes(h, 5) })).status, 200);
  assert.equal((await h.call('POST', '/v1/orders/ord_0004/record-payment', pay('pi_x', 100, 'old'))).status, 409);
});

test('locks refuse past expiries, closed orders and unknown orders', async (t) => {
  const h = await startRest();
  t.after(() => h.close());
  assert.equal((await h.call('POST', '/v1/orders/ord_0001/lock', { lockId: 'p', expiry: inMinutes(h, -1) })).body.errorType, 'InvalidRequest');
  assert.equal((await h.call('POST', '/v1/orders/ord_0027/lock', { lockId: 'f', expiry: inMinutes(h, 5) })).body.errorType, 'Conflict');
  assert.equal((await h.call('POST', '/v1/orders/nope/lock', { lockId: 'n', expiry: inMinutes(h, 5) })).status, 404);
});
