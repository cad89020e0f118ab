import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineEpos, type ContractErrorReport } from '../../packages/sdk/src/index.ts';
import { CAPABILITIES } from '../../packages/contract/src/catalogue.ts';

test('a handler returning the wrong type is reported with its JSON path and answered as UnexpectedError', async () => {
  const reports: ContractErrorReport[] = [];
  const epos = defineEpos(
    {
      // deliberately wrong: a vendor sending the amount as a string
      GetOrderById: ({ orderId }) =>
        ({ id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} }, totalAmount: { value: '12.50', currencyCode: 'GBP' } }) as never,
    },
    { onContractError: (r) => reports.push(r) },
  );
  const out = await epos.invoke('GetOrderById', { orderId: 'o1' });
  assert.equal(out.ok, false);
  assert.ok(!out.ok && out.error.errorType === 'UnexpectedError');
  assert.ok(!out.ok && /\$\.totalAmount\.value/.test(out.error.debugMessage ?? ''));
  assert.equal(reports.length, 1);
  assert.equal(reports[0].direction, 'result');
  assert.equal(reports[0].capability, 'GetOrderById');
  const issue = reports[0].issues.find((i) => i.path === '$.totalAmount.value');
  assert.ok(issue, JSON.stringify(reports[0].issues));
  assert.equal(issue.actual, '12.50');
  assert.match(String(issue.expected), /integer/);
  assert.match(reports[0].message, /\$\.totalAmount\.value/);
});

test('a missing required field is reported at the path where it belongs', async () => {
  const reports: ContractErrorReport[] = [];
  const epos = defineEpos({ ListAreas: () => [{ id: 'a1' }] as never }, { onContractError: (r) => reports.push(r) });
  const out = await epos.invoke('ListAreas', {});
  assert.equal(out.ok, false);
  assert.equal(reports[0].issues[0].path, '$[0].name');
});

test('validate: false passes results and params through unchecked', async () => {
  const epos = defineEpos({ GetOrderById: () => ({ id: 7 }) as never }, { validate: false });
  const out = await epos.invoke('GetOrderById', {});
  assert.deepEqual(out, { ok: true, result: { id: 7 } });
});

test('params that break the contract never reach the handler', async () => {
  let called = false;
  const reports: ContractErrorReport[] = [];
  const epos = defineEpos({ RecordOrderPaymentById: () => { called = true; return {} as never; } }, { onContractError: (r) => reports.push(r) });
  const out = await epos.invoke('RecordOrderPaymentById', { orderId: 'o1', paymentIntentId: 'pi', paidAmount: { value: 1.5, currencyCode: 'GBP' } });
  assert.equal(called, false);
  assert.ok(!out.ok && out.error.errorType === 'InvalidRequest');
  assert.ok(!out.ok && /\$\.paidAmount\.value/.test(out.error.debugMessage ?? ''));
  assert.equal(reports[0].direction, 'params');
});

test('legacy names are accepted for calls but refused as handler keys', async () => {
  const epos = defineEpos({ GetOrderBillById: () => ({ header: { lines: [] }, footer: { lines: [] }, order: { id: 'o', status: 'New', details: { orderType: 'Collection', collection: {} } } }) });
  assert.equal((await epos.invoke('GetOrderBill', { orderId: 'o' })).ok, true);
  assert.throws(() => defineEpos({ GetOrderBill: () => ({}) } as never), /legacy name; use GetOrderBillById/);
  assert.throws(() => defineEpos({ GetOrdr: () => ({}) } as never), /not a capability/);
});
