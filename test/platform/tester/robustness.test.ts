// The robustness flows: each passes against the reference EPOS over WebSocket and REST, doing what it
// says (the exchanges show the repeats, races and refusals), and each fails against an EPOS broken
// the way its `faults` describe, with a message that names the rule it broke.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EposError } from '../../../packages/sdk/src/index.ts';
import { createReferenceEpos } from '../../../packages/eposgate/src/epos/index.ts';
import { ROBUSTNESS_FLOWS } from '../../../packages/eposgate/src/platform/tester/flows/robustness.ts';
import { FLOWS } from '../../../packages/eposgate/src/platform/tester/flows/index.ts';
import { attachRest, attachWs, closeServer, dump, newPlatform, runFlow, withReference, type Setup, brokenReference, type Base } from './helpers.ts';

type Ctx = { headers: { deviceId?: string } };


const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

async function brokenSetup(overrides: Parameters<typeof brokenReference>[1], transport: 'ws' | 'rest' = 'ws') {
  const { platform, key } = await newPlatform({ testerCallTimeoutMs: 2000 });
  const ref = createReferenceEpos({ dbPath: ':memory:' });
  if (transport === 'ws') {
    const conn = await attachWs(platform, key, brokenReference(ref, overrides));
    cleanups.push(async () => { await platform.destroy(); await conn.close(); ref.close(); });
  } else {
    const { server } = await attachRest(platform, key, brokenReference(ref, overrides));
    cleanups.push(async () => { await platform.destroy(); closeServer(server); ref.close(); });
  }
  return { platform, key, ref };
}

type Result = Awaited<ReturnType<typeof runFlow>>;
const failedStep = (r: Result): any => r.steps.find((s) => s.status !== 'SUCCESS');
const calls = (r: Result, capability: string): any[] => r.steps.flatMap((s) => (s.exchanges ?? []).filter((e: any) => e.capability === capability));

/** The flow fails at the step named by `step`, and its message names the rule. */
async function failsNaming(overrides: Parameters<typeof brokenReference>[1], flow: string, step: RegExp, rule: RegExp, transport: 'ws' | 'rest' = 'ws'): Promise<Result> {
  const s = await brokenSetup(overrides, transport);
  const r = await runFlow(s, flow);
  assert.equal(r.status, 'FAILURE', dump(r));
  const f = failedStep(r);
  assert.match(f.name, step, dump(r));
  assert.ok(f.additionalInformation.some((l: string) => rule.test(l)), `no line of the failed step matches ${rule}: ${dump(r)}`);
  return r;
}

describe('the robustness flows are in the catalogue, each with the faults that must break it', () => {
  it('every robustness flow is listed, changes data and names at least one fault spec', () => {
    for (const f of ROBUSTNESS_FLOWS) {
      assert.ok(FLOWS.includes(f), f.name);
      assert.equal(f.changesData, true, f.name);
      assert.ok((f.faults ?? []).length >= 1, f.name);
      for (const spec of f.faults!) assert.match(spec, /^[A-Za-z*][\w:.]*:(error=\w+|delay=\d+|timeout|disconnect|contract|duplicates|ignore-locks)(@[\d.]+|#\d+)?$/, spec);
    }
  });
});

for (const transport of ['ws', 'rest'] as const) {
  describe(`the robustness flows pass against the reference EPOS over ${transport}, doing what they say`, () => {
    let s: Setup;
    before(async () => { s = await withReference(transport); });
    after(async () => { await s.close(); });
    const ok = async (flow: string, params: Record<string, unknown> = {}) => {
      const r = await runFlow(s, flow, params);
      assert.equal(r.status, 'SUCCESS', dump(r));
      return r;
    };

    it('Duplicate Payment Events delivers one event three times, with the payment recorded again before the repeats', async () => {
      const r = await ok('Duplicate Payment Events');
      const events = calls(r, 'HandleEvent:payment_intent.status_updated');
      assert.equal(events.length, 3);
      assert.equal(new Set(events.map((e: any) => e.params.id)).size, 1, 'the same event id each time');
      assert.ok(r.steps.some((x) => /^Record payment .* again after its reversal/.test(x.name)), dump(r));
    });

    it('Payment Replay sends the same intent four times and the order lists it once', async () => {
      const r = await ok('Payment Replay');
      const pays = calls(r, 'RecordOrderPaymentById');
      const firstPi = pays[0].params.paymentIntentId;
      assert.equal(pays.filter((e: any) => e.params.paymentIntentId === firstPi).length, 4, 'paid, replayed twice, then with another amount');
      assert.equal(pays.at(-1).error.eposError.errorType, 'Conflict');
      const last = calls(r, 'GetOrderById').at(-1);
      assert.equal(last.result.payments.filter((p: any) => p.paymentIntentId === firstPi).length, 1);
    });

    it('Concurrent Payments records the fitting pair, refuses the loser of the race as InvalidRequest and ends fully paid', async () => {
      const r = await ok('Concurrent Payments');
      const errors = calls(r, 'RecordOrderPaymentById').filter((e: any) => e.error).map((e: any) => e.error.eposError.errorType);
      assert.deepEqual(errors, ['InvalidRequest', 'InvalidRequest'], 'the race loser, then the payment on the paid order');
      const final = calls(r, 'GetOrderById').at(-1).result;
      assert.equal(final.paidAmount.value, final.totalAmount.value);
      assert.equal(final.payable, false);
    });

    it('Concurrent Locks: one lock granted, one Conflict, then released', async () => {
      const r = await ok('Concurrent Locks');
      const locks = calls(r, 'CreateOrderLock');
      assert.equal(locks.length, 2);
      assert.equal(locks.filter((e: any) => e.error?.eposError?.errorType === 'Conflict').length, 1);
      assert.equal(calls(r, 'DeleteOrderLock').length, 1);
    });

    it('Payments Against Locks refuses the wrong, missing and expired lockIds and records the holder\'s payment', async () => {
      const r = await ok('Payments Against Locks', { lockExpiryMs: 200 });
      const pays = calls(r, 'RecordOrderPaymentById');
      assert.deepEqual(pays.map((e: any) => e.error?.eposError?.errorType ?? 'recorded'), ['Conflict', 'Conflict', 'Conflict', 'recorded']);
      assert.equal(pays[2].params.lockId, calls(r, 'CreateOrderLock')[1].params.lockId, 'the third payment carries the expired lock');
    });

    it('Lock Handover moves the order from terminal A to terminal B', async () => {
      const r = await ok('Lock Handover');
      assert.ok(r.steps.some((x) => /^Extending A's released lock .* is refused/.test(x.name)), dump(r));
      const pays = calls(r, 'RecordOrderPaymentById');
      assert.deepEqual(pays.map((e: any) => e.error?.eposError?.errorType ?? 'recorded'), ['Conflict', 'recorded']);
    });

    it('Partial Payments pays in three parts and reads the order back after each', async () => {
      const r = await ok('Partial Payments');
      const reads = calls(r, 'GetOrderById').slice(1).map((e: any) => e.result.payable);
      assert.deepEqual(reads, [true, true, false]);
    });

    it('Payment Guards refuses the reused intent, the other currency and the cancelled order', async () => {
      const r = await ok('Payment Guards');
      const pays = calls(r, 'RecordOrderPaymentById');
      assert.deepEqual(pays.map((e: any) => e.error?.eposError?.errorType ?? 'recorded'), ['recorded', 'Conflict', 'InvalidRequest', 'Conflict']);
      assert.equal(pays[1].params.paymentIntentId, pays[0].params.paymentIntentId);
      assert.notEqual(pays[1].params.orderId, pays[0].params.orderId);
    });

    it('Search Orders While Orders Change creates and pays orders between pages', async () => {
      const r = await ok('Search Orders While Orders Change');
      const walk: any = r.steps.find((x) => x.name.startsWith('Walk SearchOrders'));
      const caps = walk.exchanges.map((e: any) => e.capability);
      assert.ok(caps.filter((c: string) => c === 'SearchOrders').length >= 3, dump(r));
      assert.ok(caps.includes('CreateOrder') && caps.includes('RecordOrderPaymentById'), dump(r));
    });
  });
}

/** RecordOrderPaymentById:duplicates by hand: a paymentIntentId seen before is recorded again as new. */
function replaysPaidAgain(): Parameters<typeof brokenReference>[1] {
  const seen = new Map<string, number>();
  return (base) => ({
    RecordOrderPaymentById: async (p) => {
      const n = seen.get(p.paymentIntentId) ?? 0;
      seen.set(p.paymentIntentId, n + 1);
      return base('RecordOrderPaymentById', n === 0 ? p : { ...p, paymentIntentId: `${p.paymentIntentId}-again-${n}` });
    },
  });
}

describe('each robustness flow fails against an EPOS broken as its faults say, naming the rule', () => {
  it('Duplicate Payment Events: an event id applied again (HandleEvent:…:duplicates)', async () => {
    let n = 0;
    await failsNaming((base) => ({
      // Every delivery looks new to the reference EPOS, so a repeat is applied again.
      'HandleEvent:payment_intent.status_updated': async (p) => base('HandleEvent:payment_intent.status_updated', { ...p, id: `${p.id}-${n++}` }),
    }), 'Duplicate Payment Events', /^The second delivery changed nothing/, /a repeated event id must be a no-op/);
  });

  it('Payment Replay: a replayed paymentIntentId paid again (RecordOrderPaymentById:duplicates)', async () => {
    await failsNaming(replaysPaidAgain(), 'Payment Replay', /^Replay payment .* twice/, /a replayed paymentIntentId must be paid once/);
  });

  it('Payment Guards: a known intent recorded again on another order (RecordOrderPaymentById:duplicates)', async () => {
    await failsNaming(replaysPaidAgain(), 'Payment Guards', /^Payment intent .* on order .* as well is not paid again/, /a paymentIntentId already recorded against another order must not be paid again/);
  });

  it('Payment Replay and Payment Guards pass an EPOS that answers a known intent unchanged instead of Conflict (only recommended)', async () => {
    const s = await brokenSetup((base) => ({
      RecordOrderPaymentById: async (p) => {
        try {
          return await base('RecordOrderPaymentById', p);
        } catch (e) {
          if (e instanceof EposError && e.errorType === 'Conflict' && /payment intent/.test(e.message)) return base('GetOrderById', { orderId: p.orderId });
          throw e;
        }
      },
    }));
    for (const flow of ['Payment Replay', 'Payment Guards']) {
      const r = await runFlow(s, flow);
      assert.equal(r.status, 'SUCCESS', dump(r));
      assert.ok(r.steps.some((x) => x.additionalInformation.some((l: string) => /answered instead of refusing/.test(l))), dump(r));
    }
  });

  it('Payment Guards: a payment in another currency recorded as if in the order\'s', async () => {
    await failsNaming((base) => ({
      RecordOrderPaymentById: async (p) => {
        const o = await base('GetOrderById', { orderId: p.orderId });
        return base('RecordOrderPaymentById', { ...p, paidAmount: { ...p.paidAmount, currencyCode: o.totalAmount.currencyCode } });
      },
    }), 'Payment Guards', /^A payment in EUR on a GBP order is refused/, /a payment in another currency than the order's must be refused/);
  });

  it('Concurrent Payments: a fitting payment refused (RecordOrderPaymentById:error=InvalidRequest#1)', async () => {
    let n = 0;
    await failsNaming((base) => ({
      RecordOrderPaymentById: async (p) => {
        if (n++ === 0) throw new EposError('InvalidRequest', 'injected');
        return base('RecordOrderPaymentById', p);
      },
    }), 'Concurrent Payments', /^Two terminals pay .* each at the same moment/, /must both be recorded/);
  });

  it('Concurrent Payments: an overpayment refused with the wrong error type', async () => {
    const r = await failsNaming((base) => ({
      RecordOrderPaymentById: async (p) => {
        try {
          return await base('RecordOrderPaymentById', p);
        } catch (e) {
          if (e instanceof EposError && e.errorType === 'InvalidRequest') throw new EposError('Conflict', e.message);
          throw e;
        }
      },
    }), 'Concurrent Payments', /^Two terminals pay all that is left/, /refused as an overpayment/);
    assert.ok(failedStep(r).problems.some((p: any) => p.message === 'an overpayment must be refused with InvalidRequest' && p.actual === 'Conflict'), dump(r));
  });

  it('Concurrent Payments: an overpayment accepted when two terminals race', async () => {
    // Checks the balance on its own before recording, as an EPOS without a transaction would.
    const r = await failsNaming((base) => ({
      RecordOrderPaymentById: async (p) => {
        const o = await base('GetOrderById', { orderId: p.orderId });
        await new Promise((res) => setTimeout(res, 20));
        if (p.paidAmount.value > o.totalAmount.value - o.paidAmount.value) throw new EposError('InvalidRequest', 'overpayment');
        const rec = await base('RecordOrderPaymentById', p).catch(() => undefined);
        return rec ?? { ...o, paidAmount: { ...o.paidAmount, value: o.paidAmount.value + p.paidAmount.value } };
      },
    }), 'Concurrent Payments', /^Two terminals pay all that is left/, /an overpayment must be refused, also when two terminals pay at once/);
    assert.equal(failedStep(r).problems[0].path, '$.paidAmount.value');
  });

  it('Concurrent Locks: every lock refused (CreateOrderLock:error=Conflict)', async () => {
    await failsNaming(() => ({ CreateOrderLock: async () => { throw new EposError('Conflict', 'injected'); } }),
      'Concurrent Locks', /^Two terminals lock order/, /exactly one must win/);
  });

  for (const transport of ['ws', 'rest'] as const) {
    it(`Concurrent Locks: both racing locks granted, and each is released in cleanup by its own terminal (over ${transport})`, async () => {
      const released: string[] = [];
      const r = await failsNaming((base) => ({
        CreateOrderLock: async (p) => base('GetOrderById', { orderId: p.orderId }),
        DeleteOrderLock: async (p, ctx) => { released.push(`${p.lockId}@${ctx.headers.deviceId}`); return base('GetOrderById', { orderId: p.orderId }); },
      }), 'Concurrent Locks', /^Two terminals lock order/, /both locks were granted.*at most one lock per order/, transport);
      const ids = calls(r, 'CreateOrderLock').map((e: any) => e.params.lockId);
      assert.deepEqual(released.sort(), [`${ids[0]}@tester-terminal-a`, `${ids[1]}@tester-terminal-b`].sort());
    });
  }

  /** An EPOS that lets any lockId pay a locked order, as RecordOrderPaymentById:ignore-locks does. */
  const ignoreLocks = (base: Base) => {
    const holder = new Map<string, string>();
    return {
      CreateOrderLock: async (p: any) => { const o = await base('CreateOrderLock', p); holder.set(p.orderId, p.lockId); return o; },
      DeleteOrderLock: async (p: any) => { const o = await base('DeleteOrderLock', p); if (holder.get(p.orderId) === p.lockId) holder.delete(p.orderId); return o; },
      RecordOrderPaymentById: async (p: any) => base('RecordOrderPaymentById', holder.has(p.orderId) ? { ...p, lockId: holder.get(p.orderId) } : p),
    };
  };

  it('Payments Against Locks: a wrong lockId pays (RecordOrderPaymentById:ignore-locks)', async () => {
    await failsNaming(ignoreLocks, 'Payments Against Locks', /^A payment with a wrong lockId is refused/, /a locked order must refuse a payment with another lockId/);
  });

  it('Payments Against Locks: an expired lockId pays over another terminal\'s lock', async () => {
    // Any lockId the EPOS ever issued still pays; a wrong or missing one is still refused.
    const issued = new Set<string>();
    const holder = new Map<string, string>();
    const s = await brokenSetup((base) => ({
      CreateOrderLock: async (p) => { const o = await base('CreateOrderLock', p); issued.add(p.lockId); holder.set(p.orderId, p.lockId); return o; },
      RecordOrderPaymentById: async (p) => base('RecordOrderPaymentById', issued.has(p.lockId) && holder.has(p.orderId) ? { ...p, lockId: holder.get(p.orderId) } : p),
    }));
    const r = await runFlow(s, 'Payments Against Locks', { lockExpiryMs: 150 });
    assert.equal(r.status, 'FAILURE', dump(r));
    const f = failedStep(r);
    assert.match(f.name, /^A payment with the expired lockId .* is refused/, dump(r));
    assert.ok(f.additionalInformation.some((l: string) => /an expired lockId must not pay an order another terminal has locked/.test(l)), dump(r));
  });

  it('Lock Handover: a released lockId pays over the next terminal\'s lock (RecordOrderPaymentById:ignore-locks)', async () => {
    await failsNaming(ignoreLocks, 'Lock Handover', /^A payment with A's released lockId/, /a released lockId must not pay an order another terminal has locked/);
  });

  it('Lock Handover: the holder cannot extend its lock (ExtendOrderLock:error=NotFound)', async () => {
    await failsNaming(() => ({ ExtendOrderLock: async () => { throw new EposError('NotFound', 'injected'); } }),
      'Lock Handover', /^Terminal A extends lock/, /ExtendOrderLock answered NotFound/);
  });

  it('Partial Payments: payable turns false before the total is reached', async () => {
    const early = (o: any) => ({ ...o, payable: o.paidAmount.value * 2 < o.totalAmount.value });
    await failsNaming((base) => ({
      GetOrderById: async (p) => early(await base('GetOrderById', p)),
      RecordOrderPaymentById: async (p) => early(await base('RecordOrderPaymentById', p)),
    }), 'Partial Payments', /^Part 2 leaves \d+ to pay: the order is still payable/, /payable turned false before the payments reached the total/);
  });

  it('Partial Payments: a broken GetOrderById answer (GetOrderById:contract)', async () => {
    let n = 0;
    await failsNaming((base) => ({
      GetOrderById: async (p) => { const o = await base('GetOrderById', p); return n++ < 1 ? o : { ...o, totalAmount: 'lots' }; },
    }), 'Partial Payments', /^Part 1 leaves/, /GetOrderById answered with a result that breaks the contract/);
  });

  it('Search Orders While Orders Change: a page repeats the last order of the page before', async () => {
    let last: any;
    await failsNaming((base) => ({
      SearchOrders: async (p) => {
        const page = await base('SearchOrders', p);
        const data = p.cursor?.after && last ? [last, ...page.data].slice(0, p.cursor.limit) : page.data;
        last = page.data.at(-1);
        return { ...page, data };
      },
    }), 'Search Orders While Orders Change', /^Walk SearchOrders/, /SearchOrders paging repeats orders while orders change/);
  });

  it('Search Orders While Orders Change: an order paid between pages is lost', async () => {
    // Lists only unpaid orders after the first page, as a search keyed on "still open" would.
    await failsNaming((base) => ({
      SearchOrders: async (p) => {
        const page = await base('SearchOrders', p);
        return p.cursor?.after ? { ...page, data: page.data.filter((o: any) => o.paidAmount.value === 0) } : page;
      },
    }), 'Search Orders While Orders Change', /^Walk SearchOrders/, /SearchOrders lost \d+ order\(s\) while orders changed/);
  });

  it('Search Orders While Orders Change: a broken SearchOrders answer (SearchOrders:contract)', async () => {
    await failsNaming((base) => ({ SearchOrders: async (p) => ({ ...(await base('SearchOrders', p)), data: 'none' }) }),
      'Search Orders While Orders Change', /^Walk SearchOrders/, /SearchOrders answered with a result that breaks the contract/);
  });
});
