// The platform's own routes, declared by schema: one error shape for every refusal, issues bounded,
// limits configured at start honoured, and the public/authenticated split by context.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_ISSUES } from '../../packages/eposgate/src/platform/server/validation.ts';
import { api, testPlatform } from '../helpers/platform.ts';

async function platformWithKey(t: { after(fn: () => Promise<void>): void }, opts: Parameters<typeof testPlatform>[0] = {}) {
  const p = await testPlatform(opts);
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'sandbox');
  return { p, key };
}

test('a body with thousands of problems gets one answer listing at most MAX_ISSUES of them', async (t) => {
  const { p, key } = await platformWithKey(t);
  const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 1]));
  const reg = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: many });
  assert.equal(reg.status, 400);
  assert.equal(reg.body.error, 'VALIDATION_FAILED');
  assert.equal(reg.body.details.length, MAX_ISSUES);
  const flow = await api(p.url, 'POST', '/epos-tester-tool/flows', { key, body: { flow: 'Get Order', params: { orderId: 'o', ...many } } });
  assert.equal(flow.status, 400);
  assert.equal(flow.body.details.length, MAX_ISSUES);
  assert.match(flow.body.message, /^\$\.params\.k0: flow "Get Order" has no param "k0"/);
});

test('an issue inside a value already refused is not listed: a size or type problem is one problem', async (t) => {
  const { p, key } = await platformWithKey(t, { limits: { capabilityCount: 2 } });
  const res = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [1, 2, 3] } });
  assert.equal(res.status, 400);
  assert.deepEqual(res.body.details.map((d: { path: string }) => d.path), ['$.capabilities']);
  assert.match(res.body.message, /3 capabilities is more than 2 \(limits\.capabilityCount\)/);
});

test('query and header issues name where they were: $.query.*, $.headers.*', async (t) => {
  const { p, key } = await platformWithKey(t);
  const q = await api(p.url, 'GET', '/epos/events?after=x', { key });
  assert.equal(q.status, 400);
  assert.deepEqual(q.body.details, [{ path: '$.query.after', message: 'the cursor must be a sequence number (a non-negative integer)', expected: 'integer ≥ 0', actual: 'x' }]);
  const h = await api(p.url, 'GET', '/epos/events/stream', { key, headers: { 'last-event-id': 'abc' } });
  assert.equal(h.status, 400);
  assert.equal(h.body.details[0].path, '$.headers.last-event-id');
  assert.equal(h.body.message, `$.headers.last-event-id: ${h.body.details[0].message}`);
});

test('public routes answer without a key; every other route asks for one, 404s do not', async (t) => {
  const { p } = await platformWithKey(t);
  assert.equal((await api(p.url, 'GET', '/healthz')).status, 200);
  assert.equal((await api(p.url, 'GET', '/epos/data/openapi.json')).status, 200);
  for (const [method, path] of [['GET', '/epos/integrations'], ['PUT', '/epos/integrations/ws'], ['GET', '/epos/events'],
    ['GET', '/epos-tester-tool/flows'], ['GET', '/epos/data/v1/events'], ['GET', '/epos/data/v1/orders/o1']] as const) {
    const res = await api(p.url, method, path, method === 'PUT' ? { body: {} } : {});
    assert.equal(res.status, 401, `${method} ${path}: ${res.text}`);
  }
  assert.equal((await api(p.url, 'GET', '/nowhere')).status, 404);
});
