// Deliberately broken EPOSes: each failure is reported precisely (step, JSON path, expected,
// actual) and the step keeps the request and response it exchanged.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { EposError, type Handlers } from '../../../packages/sdk/src/index.ts';
import { createReferenceEpos } from '../../../packages/eposgate/src/epos/index.ts';
import { attachWs, dump, newPlatform, runFlow, brokenReference, type Base } from './helpers.ts';
import type { StartPlatformOptions } from '../../../packages/eposgate/src/platform/platform.ts';



const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

async function setup(overrides: (base: Base) => Handlers, opts: Partial<StartPlatformOptions> = {}, capabilities?: string[]) {
  const { platform, key } = await newPlatform(opts);
  const ref = createReferenceEpos({ dbPath: ':memory:' });
  const conn = await attachWs(platform, key, brokenReference(ref, overrides), capabilities);
  cleanups.push(async () => { await platform.destroy(); await conn.close(); ref.close(); });
  return { platform, key, ref };
}

const failed = (r: { steps: any[] }) => r.steps.find((s) => s.status !== 'SUCCESS');

describe('failures are reported precisely', () => {
  it('a capability that is not registered fails its check step with the guide\'s two lines', async () => {
    const s = await setup(() => ({}), {}, ['SearchOrders']);
    const r = await runFlow(s, 'Get Order', { orderId: 'testOrderID' });
    assert.equal(r.status, 'FAILURE');
    assert.equal(r.flowName, 'Get Order through EPOS Data API');
    assert.equal(r.steps.length, 1);
    assert.equal(r.steps[0].name, 'Check whether GetOrder has been registered');
    assert.equal(r.steps[0].status, 'FAILURE');
    assert.deepEqual(r.steps[0].additionalInformation, ['GetOrder method not found', 'Please register the GetOrder method on an EPOS Data API adapter']);
    // The same shape for every capability: the registration name without a trailing ById.
    const pay = await runFlow(s, 'Pay at Table');
    assert.equal(pay.steps[1].name, 'Check whether GetOrder has been registered');
    const locking = await runFlow(s, 'Order Locking');
    assert.deepEqual(locking.steps[0].additionalInformation, ['CreateOrderLock method not found', 'Please register the CreateOrderLock method on an EPOS Data API adapter']);
  });

  it('a wrong type at a JSON path names the path, expected and actual, and keeps the exchange', async () => {
    const s = await setup((base) => ({
      GetOrderById: async (p) => {
        const o = await base('GetOrderById', p);
        return { ...o, totalAmount: { ...o.totalAmount, value: String(o.totalAmount.value) } };
      },
    }));
    const r = await runFlow(s, 'Get Order', { orderId: 'ord_0001' });
    assert.equal(r.status, 'FAILURE', dump(r));
    const step = failed(r);
    assert.equal(step.name, 'Get order ord_0001 (GetOrderById)');
    assert.deepEqual(step.problems[0], { path: '$.totalAmount.value', message: 'must be integer', expected: 'integer', actual: step.problems[0].actual });
    assert.equal(typeof step.problems[0].actual, 'string');
    assert.ok(step.additionalInformation.some((l: string) => l.startsWith('$.totalAmount.value: must be integer (expected integer, actual "')), dump(r));
    assert.equal(step.exchanges.length, 1);
    assert.deepEqual(step.exchanges[0].params, { orderId: 'ord_0001' });
    assert.equal(step.exchanges[0].error.code, 'CONTRACT_VIOLATION');
    assert.equal(step.exchanges[0].error.details[0].path, '$.totalAmount.value');
    assert.equal(step.exchanges[0].result.id, 'ord_0001', 'the offending result is kept whole');
    assert.equal(typeof step.exchanges[0].result.totalAmount.value, 'string');
  });

  it('the wrong order returned is caught even though it is a valid Order', async () => {
    const s = await setup((base) => ({ GetOrderById: async () => base('GetOrderById', { orderId: 'ord_0002' }) }));
    const r = await runFlow(s, 'Get Order', { orderId: 'ord_0001' });
    assert.equal(r.status, 'FAILURE');
    const step = failed(r);
    assert.deepEqual(step.problems, [{ path: '$.id', message: 'is not the order asked for', expected: 'ord_0001', actual: 'ord_0002' }]);
    assert.equal(step.additionalInformation[0], 'GetOrderById answered another order than ord_0001');
    assert.equal(step.exchanges[0].result.id, 'ord_0002');
  });

  it('bad payment arithmetic (the tip counted into paidAmount) fails the payment step', async () => {
    const s = await setup((base) => ({
      RecordOrderPaymentById: async (p) => {
        const o = await base('RecordOrderPaymentById', p);
        const tips = p.tipsAmount?.value ?? 0;
        return { ...o, paidAmount: { ...o.paidAmount, value: o.paidAmount.value + tips } };
      },
    }));
    const r = await runFlow(s, 'Pay at Table', { tipAmount: 150 });
    assert.equal(r.status, 'FAILURE', dump(r));
    const step = failed(r);
    assert.match(step.name, /^Pay the first part: 1425 \+ 150 tip GBP/);
    assert.deepEqual(step.problems.map((p: any) => [p.path, p.expected, p.actual]), [['$.paidAmount.value', 1425, 1575]]);
    assert.equal(step.exchanges[0].params.tipsAmount.value, 150);
  });

  it('a second lock that is not refused fails, and the lock left behind is released', async () => {
    const s = await setup((base) => ({
      CreateOrderLock: async (p) => base('GetOrderById', { orderId: p.orderId }),
      DeleteOrderLock: async (p) => base('GetOrderById', { orderId: p.orderId }),
    }));
    const r = await runFlow(s, 'Order Locking');
    assert.equal(r.status, 'FAILURE', dump(r));
    const step = failed(r);
    assert.equal(step.name, 'A second lock on the locked order is a Conflict (CreateOrderLock)');
    assert.equal(step.problems[0].path, '$');
    assert.equal(step.problems[0].expected, 'an EPOSError with errorType "Conflict"');
    assert.equal(step.exchanges[0].result.id, step.exchanges[0].params.orderId);
    const last = r.steps.at(-1)!;
    assert.equal(last.name, 'Release the lock left behind (DeleteOrderLock)');
    assert.equal(last.status, 'SUCCESS');
  });

  it('an EPOS that does not answer in time makes the step and the flow TIMED_OUT', async () => {
    const s = await setup(() => ({ GetOrderById: () => new Promise(() => {}) }), { testerCallTimeoutMs: 150 });
    const r = await runFlow(s, 'Get Order', { orderId: 'ord_0001' });
    assert.equal(r.status, 'TIMED_OUT', dump(r));
    const step = failed(r);
    assert.equal(step.status, 'TIMED_OUT');
    assert.match(step.additionalInformation[0], /^GetOrderById: the EPOS did not answer GetOrderByIdV1 within 150 ms/);
    assert.equal(step.exchanges[0].error.code, 'EPOS_TIMEOUT');
  });

  it('an error of the wrong type names the type expected and the one answered', async () => {
    const s = await setup(() => ({ GetOrderById: async () => { throw new EposError('UnexpectedError', 'database down'); } }));
    const r = await runFlow(s, 'Order Not Found');
    assert.equal(r.status, 'FAILURE');
    assert.deepEqual(failed(r).problems, [{ path: '$.errorType', message: 'is not the error type expected', expected: 'NotFound', actual: 'UnexpectedError' }]);
    assert.equal(failed(r).exchanges[0].error.eposError.debugMessage, 'database down');
  });
});
