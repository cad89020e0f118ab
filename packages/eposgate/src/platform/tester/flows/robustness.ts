// Robustness flows: where money is lost on a real night rather than on a calm line. An event
// delivered again, a payment replayed after a timeout, two terminals paying or locking the same
// bill at once, a lock that expired or changed hands, a bill paid in parts, a search paged while
// the till keeps working. Each flow checks the money through what the EPOS answers and reads back.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EPOSError, EposErrorType } from '@eposgate/contract';
import type { Order } from '@eposgate/contract';
import type { RequestorHeaders } from '../../transports/transport.ts';
import { CheckFailure, Checker, amount, fail, repeats, show } from '../checks.ts';
import { CallFailure, type FlowRun, type Step } from '../flow.ts';
import type { FlowDef, ParamDef } from '../types.ts';
import {
  P, WORK_ON_ORDER_PARAMS, checkIsOrder, checkPaymentApplied, checkUnchanged, createOrder, findTable, getOrder, isoIn, orderToCreate, orderToWorkOn, outstanding, workOnOrder,
  paymentParams, testerId, type PaymentSent,
} from './common.ts';
import { paymentEvent, sendEvent } from './events.ts';

const FAMILY = 'Robustness';
const LOCK_MS = 2 * 60_000;
/** Two terminals at one table: the EPOS sees them as two devices. */
const TERMINAL_A: RequestorHeaders = { deviceId: 'tester-terminal-a' };
const TERMINAL_B: RequestorHeaders = { deviceId: 'tester-terminal-b' };


type OnOrder = Omit<FlowDef, 'family' | 'changesData' | 'requiresOneOf' | 'params'> & { params?: ParamDef[] };

/**
 * A flow on one order that it creates or finds (orderToWorkOn), so it changes data: the fields such
 * flows share. `uses` lists what it uses beyond CreateOrder and SearchOrders; `params` defaults to WORK_ON_ORDER_PARAMS.
 */
function onOrder(def: OnOrder): FlowDef {
  return {
    ...def, family: FAMILY, changesData: true, ...workOnOrder(def.uses, def.params),
  };
}

/** The EPOSError a failed call answered, if it answered one. */
function eposErrorOf(err: unknown): EPOSError | undefined {
  return err instanceof CallFailure ? err.eposError : undefined;
}

/** What one of several calls sent at the same moment came to: a result, or the EPOSError it answered. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: EPOSError };

/**
 * Sends calls at the same moment (Promise.all) and answers each outcome in order. A failure that is
 * not an EPOSError (a timeout, a broken answer) stops the step as any other call would.
 */
async function atOnce<T>(calls: Array<() => Promise<T>>): Promise<Outcome<T>[]> {
  const settled = await Promise.allSettled(calls.map((c) => c()));
  return settled.map((r) => {
    if (r.status === 'fulfilled') return { ok: true as const, value: r.value };
    const e = eposErrorOf(r.reason);
    if (e) return { ok: false as const, error: e };
    throw r.reason;
  });
}

const said = (e: EPOSError): string => `${e.errorType}${e.debugMessage ? ` (${JSON.stringify(e.debugMessage.slice(0, 120))})` : ''}`;

function currencyOf(run: FlowRun, o: Order): string {
  return o.totalAmount?.currencyCode ?? run.str('currency') ?? 'GBP';
}

function payment(run: FlowRun, paid: number, tips = 0, lockId?: string): PaymentSent {
  return { paymentIntentId: testerId(run, 'pi'), paid, tips, ...(lockId ? { lockId } : {}) };
}

/** Fails unless at least `need` minor units are left to pay. */
function needOutstanding(o: Order, need: number, why: string): number {
  const left = outstanding(o);
  if (left < need) {
    fail(`order ${o.id} has ${left} left to pay: the flow needs at least ${need} minor units to ${why}`, {
      path: '$.paidAmount.value', message: 'leaves too little to pay', expected: `at most ${amount(o.totalAmount) - need}`, actual: amount(o.paidAmount),
    });
  }
  return left;
}

/** The order a flow works on (created or found), read back, with at least `need` minor units left to pay. */
async function orderToPay(run: FlowRun, need: number, why: string): Promise<{ orderId: string; before: Order; left: number }> {
  const { orderId } = await orderToWorkOn(run);
  const before = await readOrder(run, orderId);
  return { orderId, before, left: needOutstanding(before, need, why) };
}

async function readOrder(run: FlowRun, orderId: string, name = `Get order ${orderId} (GetOrderById)`): Promise<Order> {
  return run.step(name, (s) => getOrder(s, orderId));
}

/** RecordOrderPaymentById in its own step, checking the order moved by exactly that payment. */
async function pay(run: FlowRun, orderId: string, before: Order, p: PaymentSent, label: string, requestor?: RequestorHeaders): Promise<Order> {
  const c = currencyOf(run, before);
  return run.step(`${label}: ${p.paid}${p.tips ? ` + ${p.tips} tip` : ''} ${c}${p.lockId ? ` under lock ${p.lockId}` : ''} (RecordOrderPaymentById)`, async (s) => {
    const after = await s.call('RecordOrderPaymentById', paymentParams(orderId, p, c), requestor);
    checkIsOrder(s, 'RecordOrderPaymentById', orderId, after);
    checkPaymentApplied(before, after, p);
    return after;
  });
}

/** A payment that must be refused with one of `types`, and leave the order as it was. */
async function refusedPayment(s: Step, orderId: string, current: Order, p: PaymentSent, types: EposErrorType[], rule: string, requestor?: RequestorHeaders): Promise<void> {
  const c = current.totalAmount?.currencyCode ?? 'GBP';
  try {
    await s.expectError('RecordOrderPaymentById', paymentParams(orderId, p, c), types, requestor);
  } catch (err) {
    // The headline leads with the rule the EPOS broke; the problems stay as the check found them.
    if (err instanceof CheckFailure) throw new CheckFailure(`${rule}: ${err.message}`, err.problems, err.more);
    throw err;
  }
  checkUnchanged(current, await getOrder(s, orderId), `a refused payment (${rule})`);
}

/**
 * A known intent sent again with other amounts or for another order. The contract only recommends
 * refusing it (Conflict); what protects the money is that nothing is paid again. So a refusal
 * (Conflict, or InvalidRequest) passes, and so does an answer as long as no order read back moved.
 */
async function notPaidAgain(s: Step, orderId: string, p: PaymentSent, currency: string, rule: string, orders: Order[]): Promise<void> {
  try {
    await s.call('RecordOrderPaymentById', paymentParams(orderId, p, currency));
    s.info(`the EPOS answered instead of refusing (a Conflict is recommended); checked that no order moved`);
  } catch (err) {
    const e = eposErrorOf(err);
    if (!e) throw err;
    if (e.errorType !== 'Conflict' && e.errorType !== 'InvalidRequest') {
      fail(`${rule}: RecordOrderPaymentById answered ${e.errorType} where "Conflict" was recommended`, {
        path: '$.errorType', message: 'is not the error type expected', expected: ['Conflict', 'InvalidRequest'], actual: e.errorType,
      });
    }
  }
  for (const o of orders) checkUnchanged(o, await getOrder(s, o.id), `${rule}; sending it`);
}

/** CreateOrderLock in a step, with a cleanup that releases it if the flow does not. */
async function takeLock(run: FlowRun, orderId: string, lockId: string, expiry: string, label: string, requestor?: RequestorHeaders): Promise<() => void> {
  await run.step(`${label}: lock ${lockId} until ${expiry} (CreateOrderLock)`, async (s) => {
    checkIsOrder(s, 'CreateOrderLock', orderId, await s.call('CreateOrderLock', { orderId, lockId, expiry }, requestor));
  });
  return run.defer(`Release lock ${lockId} left behind (DeleteOrderLock)`, (s) => s.call('DeleteOrderLock', { orderId, lockId }, requestor));
}

async function releaseLock(run: FlowRun, orderId: string, lockId: string, dropCleanup: () => void, label: string, requestor?: RequestorHeaders): Promise<Order> {
  return run.step(`${label}: release lock ${lockId} (DeleteOrderLock)`, async (s) => {
    const o = await s.call('DeleteOrderLock', { orderId, lockId }, requestor);
    checkIsOrder(s, 'DeleteOrderLock', orderId, o);
    dropCleanup();
    return o;
  });
}

// 1. The same HandleEvent delivered two and three times.

const UPDATED = 'HandleEvent:payment_intent.status_updated' as const;

export const duplicateEventsFlow = onOrder({
  name: 'Duplicate Payment Events',
  flowName: 'The same payment event delivered two and three times through EPOS Data API',
  description: 'Records a payment, delivers payment_intent.status_updated (Reversed) for its intent and checks the payment came off the order; records the same intent again (a terminal retrying), then delivers the same event (same id) a second and a third time: each repeat must be acknowledged and change nothing. Rule: at-least-once delivery, a repeated event id is a no-op. Changes data: creates an order when no orderId is given and records a payment on it.',
  requires: [UPDATED, 'RecordOrderPaymentById', 'GetOrderById'],
  faults: [`${UPDATED}:duplicates`],
  async run(run) {
    const { orderId, before, left } = await orderToPay(run, 2, 'record a payment');
    const p = payment(run, Math.floor(left / 2));
    const paid = await pay(run, orderId, before, p, 'Record the payment the event is about');
    const reversed = paymentEvent(run, 'payment_intent.status_updated', p.paymentIntentId, 'Reversed', 'Auto');
    await sendEvent(run, reversed, `Deliver event ${reversed.id}: payment intent ${p.paymentIntentId} Reversed`);
    let current = await run.step('The reversed payment is taken off the order (GetOrderById)', async (s) => {
      const o = await getOrder(s, orderId);
      if ((o.payments ?? []).some((x) => x.paymentIntentId === p.paymentIntentId)) {
        // Not every EPOS undoes a reversed payment itself; the repeats are then checked against this order.
        s.info(`the EPOS keeps payment ${p.paymentIntentId} after its Reversed event; the repeats are checked to change nothing`);
        return { order: o, again: false };
      }
      checkUnchanged(before, o, `reversing payment ${p.paymentIntentId}`);
      return { order: o, again: true };
    });
    if (current.again) {
      // The payment must exist again for a wrongly re-applied event to show: it would take it off again.
      current = await run.step(`Record payment ${p.paymentIntentId} again after its reversal (RecordOrderPaymentById)`, async (s) => {
        try {
          const o = await s.call('RecordOrderPaymentById', paymentParams(orderId, p, currencyOf(run, paid)));
          checkIsOrder(s, 'RecordOrderPaymentById', orderId, o);
          checkPaymentApplied(current.order, o, p);
          return { order: o, again: true };
        } catch (err) {
          const e = eposErrorOf(err);
          if (!e) throw err;
          s.info(`the EPOS refuses a reversed intent again (${said(e)}); the repeats are checked to change nothing`);
          return { order: await getOrder(s, orderId), again: false };
        }
      });
    }
    for (const nth of ['second', 'third']) {
      await sendEvent(run, reversed, `Deliver the same event ${reversed.id} a ${nth} time`);
      await run.step(`The ${nth} delivery changed nothing (GetOrderById)`, async (s) => {
        checkUnchanged(current.order, await getOrder(s, orderId),
          `delivering event ${reversed.id} a ${nth} time (at-least-once delivery: a repeated event id must be a no-op)`);
      });
    }
  },
});

// 2. A payment replayed with the same paymentIntentId.

export const paymentReplayFlow = onOrder({
  name: 'Payment Replay',
  flowName: 'RecordOrderPaymentById replayed with the same paymentIntentId through EPOS Data API',
  description: 'Records a payment with a tip, replays it twice (as after a timeout): each replay answers the same order and nothing moves. Sends a second payment twice at the same moment: it is recorded once. The first intent with another amount is refused with Conflict. Rule: paymentIntentId is the idempotency key, paid once, same answer. Changes data: creates an order when no orderId is given and pays part of it.',
  requires: ['RecordOrderPaymentById', 'GetOrderById'],
  params: [...WORK_ON_ORDER_PARAMS, P.tipAmount],
  faults: ['RecordOrderPaymentById:duplicates'],
  async run(run) {
    const { orderId, before, left } = await orderToPay(run, 4, 'pay two parts and keep some outstanding');
    const first = payment(run, Math.floor(left / 4), run.int('tipAmount') || 0);
    const c = currencyOf(run, before);
    const answered = await pay(run, orderId, before, first, 'Pay a part with a tip');
    await run.step(`Replay payment ${first.paymentIntentId} twice: the same answer, paid once (RecordOrderPaymentById)`, async (s) => {
      for (const n of [1, 2]) {
        const again = await s.call('RecordOrderPaymentById', paymentParams(orderId, first, c));
        checkIsOrder(s, 'RecordOrderPaymentById', orderId, again);
        checkUnchanged(answered, again, `replay ${n} of payment ${first.paymentIntentId} (a replayed paymentIntentId must be paid once and answer the same)`);
      }
      checkUnchanged(answered, await getOrder(s, orderId), `replaying payment ${first.paymentIntentId} (a replayed paymentIntentId must be paid once)`);
    });
    const second = payment(run, Math.floor(left / 4));
    const afterSecond = await run.step(`Send payment ${second.paymentIntentId} twice at the same moment: recorded once (RecordOrderPaymentById)`, async (s) => {
      const outs = await atOnce([1, 2].map(() => () => s.call('RecordOrderPaymentById', paymentParams(orderId, second, c))));
      const ok = outs.filter((o) => o.ok);
      // One of the pair may be told to retry (Conflict) while the other is in progress; never both.
      const chk = new Checker().that(ok.length >= 1, '$', 'neither of two identical payments was recorded', 'at least one result', outs.map((o) => (o.ok ? 'result' : said(o.error))));
      for (const o of outs) if (!o.ok) chk.that(o.error.errorType === 'Conflict', '$.errorType', 'an identical payment sent at once may only be refused as a Conflict', 'Conflict', o.error.errorType);
      chk.assert(`payment ${second.paymentIntentId} sent twice at once was not handled as one payment`);
      const read = await getOrder(s, orderId);
      checkPaymentApplied(answered, read, second);
      return read;
    });
    if (first.paid > 1) {
      await run.step(`Payment ${first.paymentIntentId} again with another amount is not paid again (Conflict recommended)`, async (s) => {
        await notPaidAgain(s, orderId, { ...first, paid: first.paid - 1 }, c,
          'a known paymentIntentId with other amounts must not be recorded as new', [afterSecond]);
      });
    }
  },
});

// 3. Two payments on one order at the same moment.

export const concurrentPaymentsFlow = onOrder({
  name: 'Concurrent Payments',
  flowName: 'Two payments on one order at the same moment through EPOS Data API',
  description: 'Two terminals pay the same order at the same moment: two quarters of what is outstanding are both recorded; then two payments of all that is left race, and exactly one is recorded while the other is refused as an overpayment (InvalidRequest). The order then adds up to its total and is no longer payable, and a further payment is refused. Rule: totals stay consistent under concurrency, an overpayment is refused. Changes data: creates an order when no orderId is given and pays it in full.',
  requires: ['RecordOrderPaymentById', 'GetOrderById'],
  faults: ['RecordOrderPaymentById:error=InvalidRequest#1'],
  async run(run) {
    const { orderId, before, left } = await orderToPay(run, 4, 'pay in four');
    const c = currencyOf(run, before);
    const q = Math.floor(left / 4);
    const pair = [payment(run, q), payment(run, q)];
    const mid = await run.step(`Two terminals pay ${q} ${c} each at the same moment: both are recorded (RecordOrderPaymentById)`, async (s) => {
      const outs = await atOnce([TERMINAL_A, TERMINAL_B].map((t, i) => () => s.call('RecordOrderPaymentById', paymentParams(orderId, pair[i], c), t)));
      const chk = new Checker();
      outs.forEach((o, i) => chk.that(o.ok, `[${i}]`, `payment ${pair[i].paymentIntentId} fits what is outstanding but was refused`, 'a result', o.ok ? 'result' : said(o.error)));
      chk.assert('two payments that fit what is outstanding, sent at once, must both be recorded');
      const read = await getOrder(s, orderId);
      checkBothApplied(before, read, pair);
      return read;
    });
    const rest = left - 2 * q;
    const race = [payment(run, rest), payment(run, rest)];
    const settled = await run.step(`Two terminals pay all that is left (${rest} ${c}) at the same moment: one is recorded, the other is an overpayment (InvalidRequest)`, async (s) => {
      const outs = await atOnce([TERMINAL_A, TERMINAL_B].map((t, i) => () => s.call('RecordOrderPaymentById', paymentParams(orderId, race[i], c), t)));
      const won = outs.filter((o) => o.ok).length;
      if (won === 2) {
        const read = await getOrder(s, orderId);
        fail(`both payments of ${rest} ${c} were recorded: the order is overpaid (an overpayment must be refused, also when two terminals pay at once)`, {
          path: '$.paidAmount.value', message: 'exceeds totalAmount', expected: `at most ${amount(read.totalAmount)}`, actual: amount(read.paidAmount),
        });
      }
      const chk = new Checker().that(won === 1, '$', 'exactly one of the two racing payments must be recorded', 1, won);
      for (const o of outs) {
        if (!o.ok) chk.that(o.error.errorType === 'InvalidRequest', '$.errorType', 'an overpayment must be refused with InvalidRequest', 'InvalidRequest', o.error.errorType);
      }
      chk.assert('two payments of all that is left, sent at once: one must be recorded and the other refused as an overpayment');
      const winner = race[outs.findIndex((o) => o.ok)];
      const read = await getOrder(s, orderId);
      checkPaymentApplied(mid, read, winner);
      return read;
    });
    await run.step('The order adds up to its total and is no longer payable', async (s) => {
      new Checker()
        .equal('$.paidAmount.value', amount(settled.totalAmount), amount(settled.paidAmount), 'must equal totalAmount once all is paid')
        .that(settled.payable !== true, '$.payable', 'a fully paid order must not be payable', false, settled.payable)
        .assert(`order ${orderId} does not add up after concurrent payments`);
      await refusedPayment(s, orderId, settled, payment(run, 1), ['InvalidRequest', 'Conflict'], 'a payment on a fully paid order must be refused');
    });
  },
});

/** Both payments of a concurrent pair are on the order, once each, and the total moved by both. */
function checkBothApplied(before: Order, after: Order, pair: PaymentSent[]): void {
  const c = new Checker();
  const list = after.payments ?? [];
  for (const p of pair) {
    const n = list.filter((x) => x.paymentIntentId === p.paymentIntentId).length;
    c.that(n === 1, '$.payments', `must list payment ${p.paymentIntentId} exactly once`, 1, n);
  }
  c.equal('$.payments.length', (before.payments?.length ?? 0) + pair.length, list.length, `must grow by exactly ${pair.length} payments`);
  const sum = pair.reduce((t, p) => t + p.paid, 0);
  c.equal('$.paidAmount.value', amount(before.paidAmount) + sum, amount(after.paidAmount), `must move by exactly both payments (${amount(before.paidAmount)} + ${sum})`);
  c.equal('$.totalAmount', before.totalAmount, after.totalAmount, 'must not change when payments are recorded');
  c.assert('the order does not add up after two payments at the same moment');
}

// 4. Two locks on one order at once.

export const concurrentLocksFlow = onOrder({
  name: 'Concurrent Locks',
  flowName: 'Two locks on one order at the same moment through EPOS Data API',
  description: 'Two terminals (two deviceIds) lock the same order at the same moment with different lockIds: exactly one lock is granted and the other is a Conflict; the winner then releases it. Rule: at most one lock per order. Changes data only when no orderId is given and the flow creates an order; the lock is always released.',
  requires: ['CreateOrderLock', 'DeleteOrderLock', 'GetOrderById'],
  faults: ['CreateOrderLock:error=Conflict'],
  async run(run) {
    const { orderId } = await orderToWorkOn(run);
    const ids = [randomUUID(), randomUUID()];
    const terminals = [TERMINAL_A, TERMINAL_B];
    const expiry = isoIn(LOCK_MS);
    const winner = await run.step(`Two terminals lock order ${orderId} at the same moment: exactly one wins, the other is a Conflict (CreateOrderLock)`, async (s) => {
      const outs = await atOnce(ids.map((lockId, i) => () => s.call('CreateOrderLock', { orderId, lockId, expiry }, terminals[i])));
      const won = outs.map((o, i) => (o.ok ? i : -1)).filter((i) => i >= 0);
      // Whatever was granted is released at the end, even when the check fails.
      const drops = won.map((i) => run.defer(`Release lock ${ids[i]} left behind (DeleteOrderLock)`, (c) => c.call('DeleteOrderLock', { orderId, lockId: ids[i] }, terminals[i])));
      if (won.length === 2) {
        fail('both locks were granted: two terminals could take payments on one order at once (at most one lock per order)', {
          path: '$', message: 'the second lock is a result, not an error', expected: 'an EPOSError with errorType "Conflict"', actual: ids,
        });
      }
      const chk = new Checker().that(won.length === 1, '$', 'neither lock was granted on an order nobody held (exactly one of two racing locks must win)', 'one lock granted', outs.map((o) => (o.ok ? 'result' : said(o.error))));
      for (const o of outs) if (!o.ok) chk.that(o.error.errorType === 'Conflict', '$.errorType', 'the losing lock must be a Conflict', 'Conflict', o.error.errorType);
      chk.assert('two locks at the same moment: exactly one must win and the other get a Conflict');
      const o = outs[won[0]];
      if (o.ok) checkIsOrder(s, 'CreateOrderLock', orderId, o.value);
      s.info(`lock ${ids[won[0]]} of ${terminals[won[0]].deviceId} won`);
      return { i: won[0], drop: drops[0] };
    });
    await releaseLock(run, orderId, ids[winner.i], winner.drop, 'The winner is done', terminals[winner.i]);
  },
});

// 5. A payment with a wrong lockId, and with an expired one.

const LOCK_EXPIRY: ParamDef = {
  name: 'lockExpiryMs', type: 'integer', required: false, default: 300,
  description: 'how long the short lock lives before the flow lets it expire (raise it when the EPOS clock is behind the tester\'s)',
};

export const lockedPaymentsFlow = onOrder({
  name: 'Payments Against Locks',
  flowName: 'Payments with a wrong or an expired lockId through EPOS Data API',
  description: 'Locks the order and sends payments with a wrong lockId and with none: both are refused (Conflict) and change nothing. Releases it, locks it again for lockExpiryMs, waits until that lock has expired, lets another terminal lock the order, and sends a payment with the expired lockId: refused (Conflict). The holder\'s payment is then recorded. Rule: on a locked order only the holder\'s lockId pays. Changes data: creates an order when no orderId is given and pays part of it; locks are always released.',
  requires: ['CreateOrderLock', 'DeleteOrderLock', 'RecordOrderPaymentById', 'GetOrderById'],
  params: [...WORK_ON_ORDER_PARAMS, LOCK_EXPIRY],
  faults: ['RecordOrderPaymentById:ignore-locks'],
  async run(run) {
    const { orderId, before, left } = await orderToPay(run, 2, 'pay under a lock');
    const held = randomUUID();
    const drop = await takeLock(run, orderId, held, isoIn(LOCK_MS), 'Terminal A locks the order', TERMINAL_A);
    await run.step('A payment with a wrong lockId is refused (Conflict) and changes nothing', async (s) => {
      await refusedPayment(s, orderId, before, payment(run, 1, 0, randomUUID()), ['Conflict'], 'a locked order must refuse a payment with another lockId', TERMINAL_B);
    });
    await run.step('A payment without a lockId is refused (Conflict) and changes nothing', async (s) => {
      await refusedPayment(s, orderId, before, payment(run, 1), ['Conflict'], 'a locked order must refuse a payment without its lockId', TERMINAL_B);
    });
    await releaseLock(run, orderId, held, drop, 'Terminal A is done', TERMINAL_A);

    const ms = Math.max(50, run.int('lockExpiryMs') || 300);
    const short = randomUUID();
    const expiresAt = Date.now() + ms;
    await run.step(`Terminal A locks the order for ${ms} ms: lock ${short} (CreateOrderLock)`, async (s) => {
      try {
        checkIsOrder(s, 'CreateOrderLock', orderId, await s.call('CreateOrderLock', { orderId, lockId: short, expiry: new Date(expiresAt).toISOString() }, TERMINAL_A));
      } catch (err) {
        const e = eposErrorOf(err);
        if (e?.errorType === 'InvalidRequest') {
          fail(`the EPOS refused a lock of ${ms} ms (${said(e)}): raise the lockExpiryMs param if its clock is behind or it needs longer locks`);
        }
        throw err;
      }
    });
    // A little past the expiry, so the EPOS's clock (within 100 ms of ours) sees the lock gone.
    await sleep(Math.max(0, expiresAt + 100 - Date.now()), undefined, { signal: run.signal });
    const other = randomUUID();
    const dropOther = await takeLock(run, orderId, other, isoIn(LOCK_MS), `Lock ${short} has expired, so terminal B can lock the order`, TERMINAL_B);
    await run.step(`A payment with the expired lockId ${short} is refused (Conflict) and changes nothing`, async (s) => {
      await refusedPayment(s, orderId, before, payment(run, 1, 0, short), ['Conflict'], 'an expired lockId must not pay an order another terminal has locked', TERMINAL_A);
    });
    await pay(run, orderId, before, payment(run, Math.floor(left / 2), 0, other), 'The holder\'s payment is recorded', TERMINAL_B);
    await releaseLock(run, orderId, other, dropOther, 'Terminal B is done', TERMINAL_B);
  },
});

// 6. A lock extended, released, then taken by another terminal.

export const lockHandoverFlow = onOrder({
  name: 'Lock Handover',
  flowName: 'A lock extended, released and taken by another terminal through EPOS Data API',
  description: 'Terminal A locks the order and extends the lock (ExtendOrderLock, when registered) while terminal B\'s lock is a Conflict; A releases, B locks. A\'s old lockId can then neither pay (Conflict) nor be extended (NotFound or Conflict); B pays under its lock and releases it. Rule: a released lock gives the order to the next terminal and its old lockId no longer pays. Changes data: creates an order when no orderId is given and pays part of it; locks are always released.',
  requires: ['CreateOrderLock', 'DeleteOrderLock', 'RecordOrderPaymentById', 'GetOrderById'],
  uses: ['ExtendOrderLock'],
  faults: ['RecordOrderPaymentById:ignore-locks', 'ExtendOrderLock:error=NotFound'],
  async run(run) {
    const canExtend = await run.has('ExtendOrderLock');
    const { orderId, before, left } = await orderToPay(run, 2, 'pay under a lock');
    const a = randomUUID();
    const b = randomUUID();
    const dropA = await takeLock(run, orderId, a, isoIn(LOCK_MS), 'Terminal A locks the order', TERMINAL_A);
    if (canExtend) {
      await run.step(`Terminal A extends lock ${a} (ExtendOrderLock)`, async (s) => {
        await s.call('ExtendOrderLock', { orderId, lockId: a, expiry: isoIn(2 * LOCK_MS) }, TERMINAL_A);
      });
    }
    await run.step('While A holds the order, terminal B\'s lock is a Conflict (CreateOrderLock)', async (s) => {
      await s.expectError('CreateOrderLock', { orderId, lockId: b, expiry: isoIn(LOCK_MS) }, ['Conflict'], TERMINAL_B);
    });
    await releaseLock(run, orderId, a, dropA, 'Terminal A is done', TERMINAL_A);
    const dropB = await takeLock(run, orderId, b, isoIn(LOCK_MS), 'Terminal B takes the order', TERMINAL_B);
    await run.step(`A payment with A's released lockId ${a} is refused (Conflict) and changes nothing`, async (s) => {
      await refusedPayment(s, orderId, before, payment(run, 1, 0, a), ['Conflict'], 'a released lockId must not pay an order another terminal has locked', TERMINAL_A);
    });
    if (canExtend) {
      await run.step(`Extending A's released lock ${a} is refused (NotFound or Conflict)`, async (s) => {
        await s.expectError('ExtendOrderLock', { orderId, lockId: a, expiry: isoIn(LOCK_MS) }, ['NotFound', 'Conflict'], TERMINAL_A);
      });
    }
    await pay(run, orderId, before, payment(run, Math.floor(left / 2), 0, b), 'Terminal B pays under its lock', TERMINAL_B);
    await releaseLock(run, orderId, b, dropB, 'Terminal B is done', TERMINAL_B);
  },
});

// 7. Partial payments that sum to the total.

export const partialPaymentsFlow = onOrder({
  name: 'Partial Payments',
  flowName: 'Partial payments that sum to the total through EPOS Data API',
  description: 'Pays the order in three parts; after each part the order (as answered and as read back) is payable while something is left and stops being payable exactly when the parts sum to the total. Rule: payable turns false exactly when paidAmount reaches totalAmount, not before. Changes data: creates an order when no orderId is given and pays it in full.',
  requires: ['RecordOrderPaymentById', 'GetOrderById'],
  faults: ['GetOrderById:contract'],
  async run(run) {
    const start = await orderToPay(run, 3, 'pay in three parts');
    const { orderId, left } = start;
    let current = start.before;
    const third = Math.floor(left / 3);
    const parts = [third, third, left - 2 * third];
    for (const [i, paid] of parts.entries()) {
      const last = i === parts.length - 1;
      const answered = await pay(run, orderId, current, payment(run, paid), `Pay part ${i + 1} of ${parts.length}`);
      current = await run.step(last ? 'The parts sum to the total: the order is no longer payable' : `Part ${i + 1} leaves ${outstanding(answered)} to pay: the order is still payable`, async (s) => {
        const read = await getOrder(s, orderId);
        const chk = new Checker();
        for (const [where, o] of [['the payment answer', answered], ['GetOrderById', read]] as const) {
          const paidSoFar = `${amount(o.paidAmount)} of ${amount(o.totalAmount)} paid`;
          if (last) {
            chk.that(o.payable === false || o.payable === undefined, `$.payable`, `${where}: payable must turn false once the payments sum to the total (${paidSoFar})`, false, o.payable);
            chk.equal('$.paidAmount.value', amount(o.totalAmount), amount(o.paidAmount), `${where}: must equal totalAmount once all is paid`);
          } else {
            chk.that(o.payable !== false, `$.payable`, `${where}: payable turned false before the order was paid in full (${paidSoFar})`, true, o.payable);
          }
        }
        chk.assert(last ? 'payable did not turn false when the payments reached the total' : 'payable turned false before the payments reached the total');
        if (read.payable === undefined) s.info('the order carries no payable field; only paidAmount was checked');
        return read;
      });
    }
  },
});

// 8. SearchOrders paging while orders change.

const PAGE = 2;
const SEEDED = 4;

export const pagingWhileChangingFlow: FlowDef = {
  name: 'Search Orders While Orders Change',
  flowName: 'SearchOrders paging while orders are created and paid through EPOS Data API',
  family: FAMILY,
  description: `Creates ${SEEDED} orders on one table, then walks SearchOrders for that table ${PAGE} at a time; between pages it creates a new order and pays one of the first ones in full (one already listed, then one not yet listed). Every order that existed before the walk must be listed exactly once, and no order twice. Rule: paging is stable while orders change, no order is lost or repeated. Changes data: creates orders and pays some of them.`,
  changesData: true,
  requires: ['SearchOrders', 'CreateOrder'],
  uses: ['RecordOrderPaymentById', 'SearchTables', 'SearchParties'],
  params: [P.currency, P.tableId, P.maxPages],
  faults: ['SearchOrders:contract'],
  async run(run) {
    const canPay = await run.has('RecordOrderPaymentById');
    const tableId = await findTable(run, { free: true });
    const ours: Order[] = [];
    for (let i = 1; i <= SEEDED; i++) ours.push(await createOrder(run, `Create order ${i} of ${SEEDED} to page through (CreateOrder)`, orderToCreate(run, { tableId })));
    const base = tableId ? { dineIn: { tableId } } : {};
    const maxPages = run.int('maxPages') || 20;
    await run.step(`Walk SearchOrders ${PAGE} at a time${tableId ? ` on table ${tableId}` : ''}, creating and paying orders between pages`, async (s) => {
      const seen: string[] = [];
      const made: string[] = [];
      const paid = new Set<string>();
      let after: string | undefined;
      let complete = false;
      for (let n = 1; n <= maxPages; n++) {
        const page = await s.call('SearchOrders', { ...base, cursor: { limit: PAGE, ...(after ? { after } : {}) } });
        const ids = page.data.map((o) => o.id);
        const twice = repeats([...seen, ...ids]);
        new Checker()
          .that(ids.length <= PAGE, '$.data.length', `page ${n} holds more orders than cursor.limit`, `at most ${PAGE}`, ids.length)
          .that(twice.length === 0, `$.data[${Math.max(0, ids.indexOf(twice[0] ?? ''))}].id`, `page ${n} lists orders an earlier page listed`, 'orders not listed before', twice)
          .assert(`SearchOrders paging repeats orders while orders change (page ${n}, after ${show(after)})`);
        seen.push(...ids);
        if (!page.after || ids.length === 0) {
          complete = true;
          break;
        }
        after = page.after;
        // The till keeps working between pages: a new order, and an order paid in full.
        const o = await s.call('CreateOrder', orderToCreate(run, { tableId }) as unknown as Record<string, unknown>);
        made.push(o.id);
        if (canPay) {
          const target = ours.find((x) => !paid.has(x.id) && (paid.size % 2 === 0 ? seen.includes(x.id) : !seen.includes(x.id)))
            ?? ours.find((x) => !paid.has(x.id));
          if (target) {
            await s.call('RecordOrderPaymentById', paymentParams(target.id, payment(run, outstanding(target)), currencyOf(run, target)));
            paid.add(target.id);
          }
        }
      }
      s.info(`walked ${seen.length} orders; created ${made.length} and paid ${paid.size} in full between pages`);
      if (!complete) s.info(`stopped after ${maxPages} pages (maxPages): only orders listed so far are checked`);
      const lost = ours.filter((o) => !seen.includes(o.id)).map((o) => o.id);
      if (complete && lost.length) {
        fail(`SearchOrders lost ${lost.length} order(s) while orders changed: ${lost.join(', ')} (paging must list every order that existed before the walk)`, {
          path: '$.data[*].id', message: 'orders that existed before the walk were never listed', expected: ours.map((o) => o.id), actual: seen,
        });
      }
    });
  },
};

// 9. Payments that must never be recorded: a known intent on another order, another currency, a
// cancelled order. Each is how a charge lands twice or on the wrong bill.

export const paymentGuardsFlow: FlowDef = {
  name: 'Payment Guards',
  flowName: 'Payments that must be refused through EPOS Data API',
  family: FAMILY,
  description: 'Creates two orders and pays part of the first. The same paymentIntentId on the second order is refused (Conflict); a payment in another currency than the order\'s is refused (InvalidRequest); when CancelOrderById is registered the second order is cancelled and a payment on it is refused (Conflict). Each refusal changes nothing. Rule: a payment intent pays one order once, in its currency, and never a cancelled order. Changes data: creates two orders, pays part of one and cancels the other.',
  changesData: true,
  requires: ['RecordOrderPaymentById', 'GetOrderById', 'CreateOrder'],
  uses: ['CancelOrderById'],
  params: [P.currency],
  faults: ['RecordOrderPaymentById:duplicates'],
  async run(run) {
    const first = await createOrder(run, 'Create the order that is paid (CreateOrder)', orderToCreate(run));
    const second = await createOrder(run, 'Create another order (CreateOrder)', orderToCreate(run));
    const p = payment(run, Math.floor(outstanding(first) / 2));
    const paid = await pay(run, first.id, first, p, `Pay part of order ${first.id}`);
    await run.step(`Payment intent ${p.paymentIntentId} on order ${second.id} as well is not paid again (Conflict recommended)`, async (s) => {
      await notPaidAgain(s, second.id, p, currencyOf(run, second),
        'a paymentIntentId already recorded against another order must not be paid again', [second, paid]);
    });
    const c = currencyOf(run, first);
    const other = c === 'EUR' ? 'GBP' : 'EUR';
    await run.step(`A payment in ${other} on a ${c} order is refused (InvalidRequest recommended)`, async (s) => {
      const wrong = payment(run, 1);
      try {
        await s.expectError('RecordOrderPaymentById', { ...paymentParams(first.id, wrong, c), paidAmount: { value: 1, currencyCode: other } }, ['InvalidRequest', 'Conflict']);
      } catch (err) {
        if (err instanceof CheckFailure) throw new CheckFailure(`a payment in another currency than the order's must be refused: ${err.message}`, err.problems, err.more);
        throw err;
      }
      checkUnchanged(paid, await getOrder(s, first.id), 'a refused payment in another currency');
    });
    if (!(await run.has('CancelOrderById'))) return;
    const cancelled = await run.step(`Cancel order ${second.id} (CancelOrderById)`, async (s) => {
      const o = await s.call('CancelOrderById', { orderId: second.id });
      checkIsOrder(s, 'CancelOrderById', second.id, o);
      new Checker().equal('$.status', 'Canceled', o.status, 'is not Canceled after CancelOrderById').assert(`order ${second.id} was not cancelled`);
      return o;
    });
    await run.step(`A payment on the cancelled order ${second.id} is refused (Conflict recommended)`, async (s) => {
      await refusedPayment(s, second.id, cancelled, payment(run, 1), ['Conflict', 'InvalidRequest'], 'a cancelled order must refuse payments');
    });
  },
};

export const ROBUSTNESS_FLOWS: readonly FlowDef[] = [
  duplicateEventsFlow,
  paymentReplayFlow,
  concurrentPaymentsFlow,
  concurrentLocksFlow,
  lockedPaymentsFlow,
  lockHandoverFlow,
  partialPaymentsFlow,
  pagingWhileChangingFlow,
  paymentGuardsFlow,
];
