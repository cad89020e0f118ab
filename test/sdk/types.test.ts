// The SDK's types catch what the contract's schemas require, where TypeScript can say it. The
// `@ts-expect-error` lines are checked by the typecheck (`tsc --noEmit -p .` covers test/): if a
// type let the mistake through, the directive itself would be the error. At run time the same
// values go through the schemas, so types and schemas are seen to agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineEpos, type ParamsOf, type ResultOf } from '../../packages/sdk/src/index.ts';
import { BillLine, Order, OrderDetails, validator, type BillLine as BillLineT, type Order as OrderT, type OrderDetails as OrderDetailsT } from '../../packages/contract/src/index.ts';

const dineIn: OrderDetailsT = { orderType: 'DineIn', dineIn: { tableId: 't1' } };
const collection: OrderDetailsT = { orderType: 'Collection', collection: { asap: true } };
// @ts-expect-error orderType alone: the schema requires dineIn or collection
const bare: OrderDetailsT = { orderType: 'DineIn' };

const order: OrderT = { id: 'o1', status: 'New', details: dineIn };
// @ts-expect-error an order whose details have neither dineIn nor collection
const orderWithoutDetail: OrderT = { id: 'o2', status: 'New', details: { orderType: 'DineIn' } };

const textLine: BillLineT = { lineType: 'Text', text: { value: 'Thank you', size: 'Body' } };
// @ts-expect-error a bill line without any content field
const emptyLine: BillLineT = { lineType: 'Text' };

// Handlers are typed from the same schemas: a result without details.dineIn/collection does not compile.
defineEpos({
  // @ts-expect-error GetOrderById must answer an Order, whose details need dineIn or collection
  GetOrderById: ({ orderId }) => ({ id: orderId, status: 'New', details: { orderType: 'DineIn' } }),
  SearchOrders: () => ({ data: [order] }),
});
const createParams = (p: ParamsOf<'CreateOrder'>) => p.details.dineIn?.tableId ?? p.details.collection?.collectAt;
const searchResult: ResultOf<'SearchOrders'> = { data: [{ ...order, details: collection }] };

test('the values the types refuse are the values the schemas refuse', () => {
  const details = validator(OrderDetails);
  assert.equal(details(dineIn), null);
  assert.equal(details(collection), null);
  assert.notEqual(details(bare), null, '{ orderType } alone is refused by the schema too');
  const orders = validator(Order);
  assert.equal(orders(order), null);
  assert.notEqual(orders(orderWithoutDetail), null);
  const lines = validator(BillLine);
  assert.equal(lines(textLine), null);
  assert.notEqual(lines(emptyLine), null);
  assert.equal(typeof createParams, 'function');
  assert.equal(searchResult.data.length, 1);
});

test('the typed schemas are still the JSON Schemas of the contract (anyOf of required lists)', () => {
  assert.deepEqual((OrderDetails as { anyOf?: unknown }).anyOf, [{ required: ['dineIn'] }, { required: ['collection'] }]);
  assert.deepEqual(Object.keys((OrderDetails as unknown as { properties: object }).properties), ['dineIn', 'collection', 'orderType']);
  assert.equal((BillLine as { anyOf?: unknown[] }).anyOf?.length, 10);
  assert.deepEqual((OrderDetails as { required?: string[] }).required, ['orderType']);
});
