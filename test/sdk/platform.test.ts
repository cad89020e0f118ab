import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { defineEpos, register, sendEvent, PlatformRequestError } from '../../packages/sdk/src/index.ts';
import { listen } from '../epos/helpers.ts';
import { createReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';

interface Seen { method?: string; url?: string; headers: IncomingMessage['headers']; body: any }

async function fakeApi(status = 200) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: text ? JSON.parse(text) : undefined });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '[]' : '{"error":"VALIDATION_FAILED"}');
    });
  });
  const url = await listen(server);
  return { url, seen, close: () => server.close() };
}

const platform = (url: string) => ({ platformUrl: url, apiKey: 'sk_sandbox_k', softwareHouseId: 'till-co' });

test('register puts every implemented capability, v1, to the WS integration', async (t) => {
  const api = await fakeApi();
  t.after(api.close);
  const ref = createReferenceEpos({ dbPath: ':memory:' });
  t.after(() => ref.close());
  await register(ref.epos, { ...platform(api.url), transport: 'ws' });
  const [req] = api.seen;
  assert.equal(req.method, 'PUT');
  assert.equal(req.url, '/epos/integrations/ws');
  assert.equal(req.headers.authorization, 'Basic sk_sandbox_k');
  assert.equal(req.headers['software-house-id'], 'till-co');
  const names = req.body.capabilities.map((c: any) => c.name);
  assert.ok(req.body.capabilities.every((c: any) => c.version === 'v1'));
  assert.equal(names.length, 23);
  assert.ok(names.includes('RecordOrderPaymentById') && names.includes('HandleEvent:payment_intent.created'));
  assert.ok(!names.includes('CalculateOrder'), 'previews are not implemented by the reference EPOS');
});

test('register for REST sends the url and basic-auth credentials; a refusal throws with the body', async (t) => {
  const api = await fakeApi();
  t.after(api.close);
  const epos = defineEpos({ GetOrderById: ({ orderId }) => ({ id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } }) });
  await register(epos, { ...platform(api.url), transport: 'rest', url: 'https://epos.example/dojo', username: 'u', password: 'p' });
  assert.equal(api.seen[0].url, '/epos/integrations/rest');
  assert.deepEqual(api.seen[0].body, {
    url: 'https://epos.example/dojo',
    capabilities: [{ name: 'GetOrderById', version: 'v1' }],
    auth: { authType: 'basic', basic: { username: 'u', password: 'p' } },
  });
  const refusing = await fakeApi(400);
  t.after(refusing.close);
  await assert.rejects(register(epos, { ...platform(refusing.url), transport: 'ws' }), (e: unknown) => e instanceof PlatformRequestError && e.status === 400 && /VALIDATION_FAILED/.test(e.message));
});

test('sendEvent posts the POS event, and the reference EPOS announces its changes through it', async (t) => {
  const api = await fakeApi();
  t.after(api.close);
  const opts = platform(`${api.url}/`);
  const sends: Promise<void>[] = [];
  const ref = createReferenceEpos({ dbPath: ':memory:', onChange: (e) => sends.push(sendEvent(opts, e)) });
  t.after(() => ref.close());
  await ref.epos.invoke('CancelOrderById', { orderId: 'ord_0001' });
  await Promise.all(sends);
  assert.equal(api.seen.length, 1);
  assert.equal(api.seen[0].method, 'POST');
  assert.equal(api.seen[0].url, '/epos/events');
  assert.equal(api.seen[0].headers.authorization, 'Basic sk_sandbox_k');
  assert.deepEqual(api.seen[0].body, { eventType: 'OrderUpdated', event: { orderId: 'ord_0001' } });
});
