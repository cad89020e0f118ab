import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import {
  CAPABILITIES,
  capability,
  contractAjv,
  findCapability,
  normalizeRestResult,
  restRequest,
  schemaCheck,
  validateParams,
  validateResult,
  validator,
  type Order,
  type OrderBill,
} from '../../packages/contract/src/index.ts';

const gbp = (value: number) => ({ value, currencyCode: 'GBP' });

function order(): Order {
  return {
    id: 'ord_1',
    status: 'New',
    details: { orderType: 'DineIn', dineIn: { tableId: 't12', waiterId: 'w1', readyAt: '2025-01-02T18:30:00Z' } },
    items: [
      {
        name: 'Burger',
        plu: 'BRG',
        quantity: 2,
        amountPerItem: gbp(1200),
        modifiers: [{ name: 'Cheese', plu: 'CHS', quantity: 1, amountPerModifier: gbp(100) }],
        subItems: [{ name: 'Fries', plu: 'FRS', quantity: 1, amountPerItem: gbp(0) }],
      },
    ],
    taxLines: [{ amountTotal: gbp(400), amountPercentage: 20 }],
    discounts: [{ name: 'Happy hour', amountTotal: gbp(200) }],
    payments: [{ paymentIntentId: 'pi_1', paidAmount: gbp(1000), tipsAmount: gbp(100) }, { paidAmount: gbp(500) }],
    totalAmount: gbp(2500),
    paidAmount: gbp(1500),
    payable: true,
    createdAt: '2025-01-02T18:00:00.000Z',
    customer: { name: 'Ada', emailAddress: 'ada@example.com' },
  };
}

test('a valid Order passes, extra fields included', () => {
  assert.equal(validateResult('GetOrderById', order()), null);
  assert.equal(validateResult('GetOrderById', { ...order(), vendorField: { anything: true } }), null);
  assert.equal(validateResult('CreateOrderLock', order()), null);
});

test('a wrong type deep in an order is reported with its JSON path, expected and actual', () => {
  const o = order() as unknown as { items: { modifiers: { amountPerModifier: { value: unknown } }[] }[] };
  o.items[0].modifiers[0].amountPerModifier.value = '1.00';
  const issues = validateResult('GetOrderById', o);
  assert.deepEqual(issues, [
    { path: '$.items[0].modifiers[0].amountPerModifier.value', message: 'must be integer', expected: 'integer', actual: '1.00' },
  ]);
});

test('every problem is reported at once (allErrors), enums as one issue each', () => {
  const o = { ...order(), status: 'Open', createdAt: 'yesterday', details: { orderType: 'DineIn' } } as unknown;
  const issues = validateResult('GetOrderById', o) ?? [];
  const byPath = new Map(issues.map((i) => [i.path, i]));
  assert.equal(issues.length, 3, JSON.stringify(issues));
  assert.match(byPath.get('$.status')!.expected!, /one of "New", "Submitted"/);
  assert.equal(byPath.get('$.status')!.actual, 'Open');
  assert.equal(byPath.get('$.createdAt')!.expected, 'date-time');
  assert.match(byPath.get('$.details')!.message, /dineIn.*collection/);
});

test('missing and mistyped params are rejected with the field named', () => {
  const issues = validateParams('RecordOrderPaymentById', { orderId: 'o1', paidAmount: { value: 10 } });
  assert.deepEqual(issues?.map((i) => i.path).sort(), ['$.paidAmount.currencyCode', '$.paymentIntentId']);
  assert.ok(issues?.every((i) => i.message === 'is required'));
  assert.deepEqual(validateParams('GetOrderById', { orderId: 42 }), [
    { path: '$.orderId', message: 'must be string', expected: 'string', actual: 42 },
  ]);
  // legacy alias resolves to the same capability
  assert.equal(validateParams('RecordOrderPayment', { orderId: 'o1', paymentIntentId: 'pi', paidAmount: gbp(1) }), null);
});

test('an unknown capability is rejected, naming it', () => {
  const issues = validateParams('GetOrderByIdV1', { orderId: 'o1' });
  assert.equal(issues?.length, 1);
  assert.equal(issues?.[0].path, '$');
  assert.match(issues![0].message, /unknown capability "GetOrderByIdV1"/);
  assert.equal(validateResult('Nope', {})?.[0].actual, 'Nope');
});

test('capabilities answering nothing accept {}, null and an absent body', () => {
  for (const name of ['DeletePartyById', 'DeleteReservationById', 'HandleEvent:payment_intent.created']) {
    assert.equal(validateResult(name, {}), null, name);
    assert.equal(validateResult(name, null), null, name);
    assert.equal(validateResult(name, undefined), null, name);
    assert.ok(validateResult(name, 'ok'), name);
  }
  assert.equal(validateParams('ListAreas', undefined), null);
  assert.equal(validateResult('ExtendOrderLock', {}), null);
});

test('HandleEvent params are the Event; UpdateParty params carry the EPOS id as `id`', () => {
  const event = {
    id: 'evt_1', accountId: 'acc_1', event: 'payment_intent.created', createdAt: '2025-01-02T18:00:00Z',
    data: { paymentIntentId: 'pi_1', paymentStatus: 'Captured', captureMode: 'Auto' },
  };
  assert.equal(validateParams('HandleEvent:payment_intent.status_updated', event), null);
  assert.equal(validateParams('HandleEvent:payment_intent.created', { ...event, data: { ...event.data, captureMode: 'Later' } })?.[0].path, '$.data.captureMode');

  const update = { id: 'p1', dojoPartyId: 'dp1', startTime: '2025-01-02T18:00:00Z', status: 'Seated', tableIds: ['t1'] };
  assert.equal(validateParams('UpdateParty', update), null);
  assert.deepEqual(validateParams('UpdateParty', { ...update, tableIds: [] })?.map((i) => i.path), ['$.tableIds']);
  assert.deepEqual(restRequest(capability('UpdateParty'), update), {
    method: 'PUT',
    path: '/v1/parties/p1',
    body: { dojoPartyId: 'dp1', startTime: '2025-01-02T18:00:00Z', status: 'Seated', tableIds: ['t1'] },
  });
  assert.deepEqual(restRequest(capability('DeleteOrderLock'), { orderId: 'o/1', lockId: 'l 1' }), {
    method: 'DELETE',
    path: '/v1/orders/o%2F1/locks/l%201',
  });
});

test('bills: both URL flag spellings pass, a line without its content field fails', () => {
  const bill: OrderBill = {
    header: { lines: [{ lineType: 'MerchantName', merchantName: { name: 'Cafe' } }, { lineType: 'URL', url: { url: 'https://x', showQr: true } }] },
    order: order(),
    footer: { lines: [{ lineType: 'URL', url: { url: 'https://x', showQR: true, showURL: false } }, { lineType: 'HorizontalLine', horizontalLine: { line: 'Double' } }] },
  };
  assert.equal(validateResult('GetOrderBillById', bill), null);
  const bad = structuredClone(bill) as unknown as { footer: { lines: unknown[] } };
  bad.footer.lines.push({ lineType: 'Text' });
  assert.deepEqual(validateResult('GetOrderBillById', bad)?.map((i) => i.path), ['$.footer.lines[2]']);
});

test('SearchTables: the object is expected; a REST one-element array is unwrapped by normalizeRestResult', () => {
  const page = { data: [{ id: 't1', name: 'Table 1', maxCovers: 4 }] };
  const def = findCapability('SearchTables')!;
  assert.equal(validateResult(def, page), null);
  assert.ok(validateResult(def, [page]));
  assert.equal(validateResult(def, normalizeRestResult(def, [page])), null);
  assert.deepEqual(normalizeRestResult(capability('DeletePartyById'), ''), {});
  // The quirk is a fact of SearchTables' row only: no other row unwraps an array.
  assert.deepEqual(CAPABILITIES.filter((c) => c.restResultInArray).map((c) => c.name), ['SearchTables']);
  const parties = { data: [] };
  assert.deepEqual(normalizeRestResult(capability('SearchParties'), [parties]), [parties]);
});

test('validator(): cached per schema, odd keys quoted in the path', () => {
  const schema = Type.Object({ 'a b': Type.Array(Type.Integer()) });
  assert.equal(validator(schema), validator(schema));
  assert.deepEqual(validator(schema)({ 'a b': [1, 'x'] }), [
    { path: '$["a b"][1]', message: 'must be integer', expected: 'integer', actual: 'x' },
  ]);
  assert.equal(validator(schema)({ 'a b': [] }), null);
});

test('schemaCheck(): its first-error pass gives the full pass\'s verdict, and a refused value gets every error', () => {
  // Every leaf of an order replaced in turn by a value of each other JSON type: hundreds of
  // values, valid and not, each judged by both ajv instances.
  const schema = capability('GetOrderById').result;
  const check = schemaCheck(schema);
  const full = contractAjv().compile(schema);
  const swaps: unknown[] = ['x', 7, 1.5, true, null, [], {}, '2025-13-45T99:00:00Z'];
  let judged = 0;
  let refused = 0;
  const visit = (node: unknown, set: (v: unknown) => void, restore: () => void) => {
    for (const v of swaps) {
      set(v);
      const root = current;
      const errors = check(root);
      assert.equal(errors === null, full(root), `verdicts differ for ${JSON.stringify(root).slice(0, 200)}`);
      if (errors) {
        refused++;
        assert.deepEqual(errors, full.errors);
      }
      judged++;
    }
    restore();
    if (node !== null && typeof node === 'object') {
      for (const k of Object.keys(node)) {
        const o = node as Record<string, unknown>;
        const was = o[k];
        visit(was, (v) => { o[k] = v; }, () => { o[k] = was; });
      }
    }
  };
  const current = order() as unknown as Record<string, unknown>;
  for (const k of Object.keys(current)) {
    const was = current[k];
    visit(was, (v) => { current[k] = v; }, () => { current[k] = was; });
  }
  assert.equal(check(current), null);
  assert.ok(judged > 300 && refused > 100 && refused < judged, `${judged} judged, ${refused} refused`);
});

test('date-time: the fast path accepts only what ajv-formats accepts, and takes the usual spellings itself', async () => {
  const { usualDateTime } = await import('../../packages/contract/src/validate.ts');
  const formats = (await import('ajv-formats/dist/formats.js')) as unknown as { fullFormats: Record<string, { validate: (s: string) => boolean }> };
  const { fullFormats } = formats;
  const full = fullFormats['date-time']!.validate;
  const usual = ['2025-01-02T18:30:00Z', '2025-01-02T18:30:00.000Z', '2024-02-29T23:59:59.123456+01:00', '1999-12-31T00:00:00-23:59', '2000-02-29T12:00:00Z'];
  for (const s of usual) assert.ok(usualDateTime(s) && full(s), s);
  // Every one-character change, deletion and insertion of each usual spelling, and some odd ones.
  const chars = ['0', '1', '2', '3', '5', '6', '9', 'T', 't', ' ', 'Z', 'z', ':', '-', '+', '.', 'x'];
  const tried = new Set<string>(['2023-02-29T10:00:00Z', '2025-06-30T23:59:60Z', '2025-01-02T24:00:00Z', '2025-01-02T18:30:00+2400', '2025-01-02t18:30:00z']);
  for (const s of usual) {
    for (let i = 0; i <= s.length; i++) {
      tried.add(s.slice(0, i) + s.slice(i + 1));
      for (const c of chars) { tried.add(s.slice(0, i) + c + s.slice(i + 1)); tried.add(s.slice(0, i) + c + s.slice(i)); }
    }
  }
  let fast = 0;
  for (const s of tried) {
    if (!usualDateTime(s)) continue;
    fast++;
    assert.ok(full(s), `the fast path accepted ${JSON.stringify(s)}, which ajv-formats refuses`);
  }
  assert.ok(tried.size > 2000 && fast > 100, `${tried.size} tried, ${fast} taken by the fast path`);
  // Through the contract's validation: a leap second (slow path) passes, a 30 February does not.
  const o = order();
  assert.equal(validateResult('GetOrderById', { ...o, createdAt: '2016-12-31T23:59:60Z' }), null);
  assert.equal(validateResult('GetOrderById', { ...o, createdAt: '2025-02-30T10:00:00Z' })?.[0]?.path, '$.createdAt');
});
