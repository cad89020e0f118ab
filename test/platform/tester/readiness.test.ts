// Reading a run for a report: which products an EPOS is ready for (from the flows' `products`),
// when the EPOS counts as gone, and the EPOS's own words under a failed step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLOWS } from '../../../packages/eposgate/src/platform/tester/flows/index.ts';
import { describeFlow } from '../../../packages/eposgate/src/platform/tester/params.ts';
import { PRODUCTS, readiness, type FlowOutcome } from '../../../packages/eposgate/src/platform/tester/products.ts';
import { eposSaidLines, goneReason } from '../../../packages/eposgate/src/platform/tester/report.ts';
import type { StepRecord } from '../../../packages/eposgate/src/platform/tester/types.ts';

const flows = FLOWS.map(describeFlow);
const passed: FlowOutcome = { kind: 'passed' };
const of = (entries: Array<[string, FlowOutcome]>) => new Map(entries);
const product = (list: ReturnType<typeof readiness>, name: string) => list.find((p) => p.product === name)!;

describe('products readiness', () => {
  it('the catalogue names only known products, and each product has a flow it requires', () => {
    for (const f of FLOWS) for (const p of Object.keys(f.products ?? {})) assert.ok((PRODUCTS as readonly string[]).includes(p), `${f.name}: ${p}`);
    for (const p of PRODUCTS) assert.ok(FLOWS.some((f) => f.products?.[p] === 'required'), `${p} requires some flow`);
    assert.deepEqual(describeFlow(FLOWS.find((f) => f.name === 'Pay at Table')!).products, { 'Pay at Table': 'required' });
  });

  it('ready when its required flows passed and the others it uses passed or do not apply', () => {
    const r = readiness(flows, of([
      ['Pay at Table', passed], ['Search Orders', passed],
      ['Pay at Table with Locking', { kind: 'not applicable', needs: ['CreateOrderLock'] }],
      ['Get Order', { kind: 'skipped', reason: 'needs --param orderId=…' }],
    ]));
    assert.deepEqual(product(r, 'Pay at Table'), { product: 'Pay at Table', status: 'ready', reasons: [], passed: ['Search Orders', 'Pay at Table'] });
  });

  it('not ready when a flow it uses failed; not applicable when a required flow needs what the EPOS lacks; not tested when one was not run', () => {
    const r = readiness(flows, of([
      ['Pay at Table', passed], ['Pay at Table with Locking', { kind: 'failed', status: 'TIMED_OUT' }],
      ['Order and Pay', { kind: 'not applicable', needs: ['CreateOrder'] }],
      ['Tables and Areas', passed], ['Parties', passed], ['Reservations', passed], ['Bookings', { kind: 'not run', reason: 'gone' }],
    ]));
    assert.equal(product(r, 'Pay at Table').status, 'not ready');
    assert.deepEqual(product(r, 'Pay at Table').reasons, ['Pay at Table with Locking TIMED_OUT']);
    assert.equal(product(r, 'Order and Pay').status, 'not applicable');
    assert.deepEqual(product(r, 'Order and Pay').reasons, ['Order and Pay needs CreateOrder']);
    assert.equal(product(r, 'Bookings').status, 'not tested');
    assert.deepEqual(product(r, 'Bookings').reasons, ['Bookings was not run']);
  });

  it('a required flow that was not chosen leaves the product not tested', () => {
    assert.equal(product(readiness(flows, of([['Search Orders', passed]])), 'Pay at Table').status, 'not tested');
  });
});

const step = (over: Partial<StepRecord>): StepRecord => ({ name: 's', status: 'FAILURE', startedAt: '', additionalInformation: [], ...over });
const call = (error: any) => ({ capability: 'GetOrderById', params: {}, ms: 1, error });

describe('reading a failed flow', () => {
  it('the EPOS is gone when the failed step\'s last call was unreachable or not connected, not when it answered badly', () => {
    const gone = { status: 'FAILURE' as const, steps: [step({ status: 'SUCCESS' }), step({ exchanges: [call({ code: 'EPOS_UNREACHABLE', message: 'could not reach the EPOS at h (ECONNREFUSED: refused)' })] })] };
    assert.equal(goneReason(gone), 'EPOS_UNREACHABLE: could not reach the EPOS at h (ECONNREFUSED: refused)');
    assert.equal(goneReason({ status: 'FAILURE', steps: [step({ exchanges: [call({ code: 'EPOS_NOT_CONNECTED', message: 'no socket' })] })] }), 'EPOS_NOT_CONNECTED: no socket');
    assert.equal(goneReason({ status: 'FAILURE', steps: [step({ exchanges: [call({ code: 'EPOS_ERROR', message: 'EPOS answered NotFound' })] })] }), undefined);
    assert.equal(goneReason({ status: 'TIMED_OUT', steps: [step({ status: 'TIMED_OUT', exchanges: [call({ code: 'EPOS_TIMEOUT', message: 'slow' })] })] }), undefined);
  });

  it('a failed step shows the EPOS\'s errorType and debugMessage unless its lines already quote them', () => {
    const e = { code: 'EPOS_ERROR', message: 'x', eposError: { errorType: 'Conflict', debugMessage: 'order is locked by till 3' } };
    assert.deepEqual(eposSaidLines(step({ additionalInformation: ['$.status: differs'], exchanges: [call(e)] })), ['the EPOS answered Conflict: "order is locked by till 3"']);
    assert.deepEqual(eposSaidLines(step({ additionalInformation: ['GetOrderById answered Conflict: order is locked by till 3'], exchanges: [call(e)] })), []);
    assert.deepEqual(eposSaidLines(step({ status: 'SUCCESS', exchanges: [call(e)] })), []);
    const long = { ...e, eposError: { errorType: 'UnexpectedError', debugMessage: 'x'.repeat(1000) } };
    assert.ok(eposSaidLines(step({ exchanges: [call(long)] }))[0].length < 400, 'clipped');
  });
});
