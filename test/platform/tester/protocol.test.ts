// JSON-RPC protocol flows: each passes against the reference EPOS over WebSocket, and each fails,
// naming the broken rule, against a raw `ws` EPOS that breaks that rule (silent on unknown methods,
// swapped ids, too slow, errors without errorType, no reconnect). Over REST they do not apply.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { CAPABILITIES } from '../../../packages/contract/src/catalogue.ts';
import { createReferenceEpos, type ReferenceEpos } from '../../../packages/eposgate/src/epos/index.ts';
import { connect } from '../../../packages/sdk/src/index.ts';
import { register } from '../../../packages/sdk/src/index.ts';
import { FLOWS, flowApplies } from '../../../packages/eposgate/src/platform/tester/flows/index.ts';
import { PROTOCOL_FLOWS } from '../../../packages/eposgate/src/platform/tester/flows/protocol.ts';
import { api } from '../../helpers/platform.ts';
import { SHID, attachRest, closeServer, dump, newPlatform, runFlow } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const failedStep = (r: { steps: any[] }) => r.steps.find((s) => s.status !== 'SUCCESS');
const failureText = (r: { steps: any[] }) => (failedStep(r)?.additionalInformation ?? []).join('\n');

/** The reference EPOS on the SDK, reconnecting quickly (the reconnect flow closes its socket). */
async function reference() {
  const { platform, key } = await newPlatform();
  const ref = createReferenceEpos({ dbPath: ':memory:' });
  const conn = connect(ref.epos, { url: `${platform.url.replace('http', 'ws')}/epos`, apiKey: key, softwareHouseId: SHID, reconnect: { minMs: 20, maxMs: 200 }, drainTimeoutMs: 200 });
  await once(conn, 'connect');
  await register(ref.epos, { platformUrl: platform.url, apiKey: key, softwareHouseId: SHID, transport: 'ws' });
  cleanups.push(async () => { await conn.close(); await platform.destroy(); ref.close(); });
  return { platform, key, ref, conn };
}

interface Misbehaviour {
  /** Never answers a method it does not know. */
  silentOnUnknown?: boolean;
  /** Holds GetOrderById answers and sends each pair with their ids swapped. */
  swapIds?: boolean;
  /** Answers GetOrderById after this long. */
  delayMs?: number;
  /** Sends errors as bare JSON-RPC errors {code, message}, without errorType. */
  bareErrors?: boolean;
}

const BY_METHOD = new Map(CAPABILITIES.filter((c) => !c.name.startsWith('HandleEvent:')).map((c) => [c.wsMethod, c.name]));

/**
 * A hand-written WebSocket EPOS (no SDK, no reconnect) serving the reference restaurant, that
 * breaks the rules it is told to.
 */
async function rawEpos(bad: Misbehaviour) {
  const { platform, key } = await newPlatform();
  const ref: ReferenceEpos = createReferenceEpos({ dbPath: ':memory:' });
  const ws = new WebSocket(`${platform.url.replace('http', 'ws')}/epos`, { headers: { authorization: `Basic ${key}`, 'software-house-id': SHID } });
  await once(ws, 'open');
  const held: Array<{ id: unknown; body: Record<string, unknown> }> = [];
  ws.on('message', async (data) => {
    const req = JSON.parse(String(data));
    const name = BY_METHOD.get(req.method);
    if (!name) {
      if (!bad.silentOnUnknown) ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, error: { code: -32601, message: 'Method not found' } }));
      return;
    }
    const { headers: _h, ...params } = req.params ?? {};
    const out = await ref.epos.invoke(name, params);
    const body: Record<string, unknown> = out.ok ? { result: out.result }
      : { error: bad.bareErrors ? { code: -32000, message: out.error.debugMessage ?? 'error' } : out.error };
    if (name === 'GetOrderById' && bad.delayMs) await new Promise((r) => setTimeout(r, bad.delayMs));
    if (name === 'GetOrderById' && bad.swapIds) {
      held.push({ id: req.id, body });
      if (held.length === 2) {
        const [a, b] = held.splice(0, 2);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: b!.id, ...a!.body }));
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: a!.id, ...b!.body }));
      }
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, ...body }));
  });
  const reg = await api(platform.url, 'PUT', '/epos/integrations/ws', {
    key, softwareHouseId: SHID, body: { capabilities: ref.epos.capabilities.map((c) => ({ name: c.name, version: 'v1' })) },
  });
  assert.equal(reg.status, 200, reg.text);
  cleanups.push(async () => { ws.terminate(); await platform.destroy(); ref.close(); });
  return { platform, key, ref, ws };
}

describe('JSON-RPC protocol flows', () => {
  it('every protocol flow is WebSocket only and names the reference-EPOS faults that must break it', () => {
    assert.equal(PROTOCOL_FLOWS.length, 5);
    for (const f of PROTOCOL_FLOWS) {
      assert.ok(FLOWS.includes(f), `${f.name} is in the catalogue`);
      assert.deepEqual(f.transports, ['ws'], f.name);
      assert.ok((f.faults ?? []).length >= 1, `${f.name} names at least one fault`);
      for (const spec of f.faults ?? []) assert.match(spec, /^[A-Za-z:_.*]+:[a-z-]+(=[^@#]+)?([@#][0-9.]+)?$/, `${f.name}: ${spec}`);
      assert.ok(flowApplies(f, new Set(CAPABILITIES.map((c) => c.name))));
    }
  });

  it('every protocol flow passes against the reference EPOS over WebSocket', async () => {
    const s = await reference();
    for (const f of PROTOCOL_FLOWS) {
      const r = await runFlow(s, f.name);
      assert.equal(r.status, 'SUCCESS', dump(r));
    }
    // The reconnect flow really closed the socket: the SDK reconnected and is serving.
    assert.equal(s.conn.connected, true);
    assert.equal(s.platform.gateway.connectionCount({ accountId: 'acc-tester', env: 'sandbox' }), 1);
  });

  it('calls in flight: each answer is the order asked for, and the answers are recorded', async () => {
    const s = await reference();
    const r = await runFlow(s, 'JSON-RPC Calls In Flight', { calls: 20 });
    assert.equal(r.status, 'SUCCESS', dump(r));
    const step = r.steps.at(-1)! as any;
    assert.equal(step.exchanges.length, 20);
    assert.ok(step.exchanges.every((x: any) => x.result.id === x.params.orderId));
    assert.match(step.additionalInformation.join('\n'), /20 answers, each the order asked for/);
  });

  it('an EPOS that answers calls in flight with swapped ids fails Calls In Flight, naming the id rule', async () => {
    const s = await rawEpos({ swapIds: true });
    const r = await runFlow(s, 'JSON-RPC Calls In Flight', { calls: 20 });
    assert.equal(r.status, 'FAILURE', dump(r));
    assert.match(failureText(r), /matched to the wrong requests: the EPOS answered with the id of another call/);
    assert.match(failureText(r), /call \d+: \$\.id: is not the order this request asked for/);
  });

  it('an EPOS silent on an unknown method fails Unknown Method within the bound, saying it must not stay silent', async () => {
    const s = await rawEpos({ silentOnUnknown: true });
    const t0 = Date.now();
    const r = await runFlow(s, 'JSON-RPC Unknown Method', { answerWithinMs: 300 });
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.status, 'FAILURE', dump(r));
    assert.equal(failedStep(r).name, 'Call the unknown method EposgateTesterNoSuchMethodV1: expect a JSON-RPC error');
    assert.match(failureText(r), /did not answer EposgateTesterNoSuchMethodV1 within 300 ms: an EPOS must answer a method it does not serve with a JSON-RPC error \(code -32601 Method not found\), not stay silent/);
  });

  it('an EPOS that answers unknown methods with -32601 passes Unknown Method', async () => {
    const s = await rawEpos({});
    const r = await runFlow(s, 'JSON-RPC Unknown Method');
    assert.equal(r.status, 'SUCCESS', dump(r));
    assert.match(r.steps.find((x: any) => x.name.startsWith('Call the unknown method'))!.additionalInformation[0]!, /answered error -32601/);
  });

  it('an EPOS whose errors lack errorType fails Error Shape, naming the EPOSError shape', async () => {
    const s = await rawEpos({ bareErrors: true });
    const r = await runFlow(s, 'JSON-RPC Error Shape');
    assert.equal(r.status, 'FAILURE', dump(r));
    assert.equal(failedStep(r).name, 'NotFound: GetOrderById of unknown order eposgate-tester-no-such-order');
    assert.match(failureText(r), /breaks the EPOSError shape \{errorType, debugMessage\?, traceId\?\}/);
    assert.match(failureText(r), /\$\.error\.errorType: must be one of NotFound, InvalidRequest, Conflict, UnexpectedError/);
  });

  it('Error Shape provokes NotFound, InvalidRequest and Conflict from the reference EPOS and releases its lock', async () => {
    const s = await reference();
    const r = await runFlow(s, 'JSON-RPC Error Shape');
    assert.equal(r.status, 'SUCCESS', dump(r));
    const names = r.steps.map((x: any) => x.name);
    assert.ok(names.includes('Conflict: a second lock with another lockId (CreateOrderLock)'), names.join('\n'));
    assert.equal(names.at(-1), 'Release the lock left behind (DeleteOrderLock)');
    const errors = r.steps.flatMap((x: any) => x.exchanges ?? []).map((x: any) => x.result?.error?.errorType).filter(Boolean);
    assert.deepEqual(errors, ['NotFound', 'InvalidRequest', 'Conflict']);
  });

  it('an EPOS too slow at 50 concurrent calls fails 50 Concurrent Calls, counting the calls not answered in time', async () => {
    const s = await rawEpos({ delayMs: 600 });
    const r = await runFlow(s, 'JSON-RPC 50 Concurrent Calls', { answerWithinMs: 300 });
    assert.equal(r.status, 'FAILURE', dump(r));
    assert.match(failureText(r), /50 of 50 concurrent GetOrderById calls were not answered correctly within 300 ms \(50 not answered at all in time\): an EPOS must answer every call in time under load/);
    assert.match(failureText(r), /call 1 \(order [^)]+\): no answer within 300 ms/);
  });

  it('an EPOS that does not reconnect after 1012 fails Reconnect, naming the reconnect rule', async () => {
    const s = await rawEpos({});
    const closed = once(s.ws, 'close');
    const r = await runFlow(s, 'JSON-RPC Reconnect', { reconnectWithinMs: 300 });
    const [code] = await closed;
    assert.equal(code, 1012);
    assert.equal(r.status, 'FAILURE', dump(r));
    assert.match(failureText(r), /did not reconnect within 300 ms after the platform closed its socket with 1012 \(service restart\)/);
  });

  it('over REST the protocol flows do not apply: run anyway, they say so', async () => {
    const { platform, key } = await newPlatform();
    const ref = createReferenceEpos({ dbPath: ':memory:' });
    const { server } = await attachRest(platform, key, ref.epos);
    cleanups.push(async () => { await platform.destroy(); closeServer(server); ref.close(); });
    const list = await api<any[]>(platform.url, 'GET', '/epos-tester-tool/flows', { key, softwareHouseId: SHID });
    assert.deepEqual(list.body.find((f) => f.name === 'JSON-RPC Reconnect').transports, ['ws']);
    assert.deepEqual(list.body.find((f) => f.name === 'Get Order').transports, ['ws', 'rest']);
    const r = await runFlow({ platform, key }, 'JSON-RPC Unknown Method');
    assert.equal(r.status, 'FAILURE');
    assert.match(failureText(r), /GetOrderById is registered on REST only: the JSON-RPC protocol flows check WebSocket EPOSes \(not applicable over REST\)/);
  });
});

describe('the tester\'s WebSocket hooks', () => {
  const tenant = { accountId: 'acc-tester', env: 'sandbox' as const };

  /** A raw EPOS socket answering as `answer` says (undefined: silence, or a delay in ms). */
  async function socket(answer: (req: any) => { frame?: Record<string, unknown>; afterMs?: number }) {
    const { platform, key } = await newPlatform();
    const ws = new WebSocket(`${platform.url.replace('http', 'ws')}/epos`, { headers: { authorization: `Basic ${key}`, 'software-house-id': SHID } });
    await once(ws, 'open');
    ws.on('message', (data) => {
      const req = JSON.parse(String(data));
      const { frame, afterMs = 0 } = answer(req);
      if (frame) setTimeout(() => ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, ...frame })), afterMs);
    });
    const reg = await api(platform.url, 'PUT', '/epos/integrations/ws', { key, softwareHouseId: SHID, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } });
    assert.equal(reg.status, 200, reg.text);
    cleanups.push(async () => { ws.terminate(); await platform.destroy(); });
    return { platform, ws };
  }

  it('a raw call hands back the frame as the EPOS sent it, while a product call in flight still gets its own result', async () => {
    const ref = createReferenceEpos({ dbPath: ':memory:' });
    cleanups.push(async () => ref.close());
    const got = await ref.epos.invoke('GetOrderById', { orderId: 'ord_0001' });
    assert.ok(got.ok);
    const { platform } = await socket((req) => req.method === 'GetOrderByIdV1'
      ? { frame: { result: got.result }, afterMs: 30 }
      : { frame: { error: { code: 7, message: 'odd', data: { why: 'raw' } } } });
    const product = platform.dispatcher.invoke(tenant, 'GetOrderById', { orderId: 'ord_0001' });
    const raw = await platform.gateway.rawCall(tenant, 'AnythingV9', { any: ['thing'] }, { timeoutMs: 1000 });
    assert.deepEqual(raw.error, { code: 7, message: 'odd', data: { why: 'raw' } });
    assert.equal(raw.jsonrpc, '2.0');
    assert.equal(((await product) as { id: string }).id, 'ord_0001');
  });

  it('a raw call the EPOS does not answer in time rejects with EPOS_TIMEOUT; its late answer is counted late, not misrouted', async () => {
    const { platform } = await socket(() => ({ frame: { result: { late: true } }, afterMs: 300 }));
    await assert.rejects(platform.gateway.rawCall(tenant, 'SlowV1', {}, { timeoutMs: 100 }), (e: any) => e.code === 'EPOS_TIMEOUT');
    // The answer leaves the EPOS 300 ms after the call: awaited, not slept for (a loaded machine delays it).
    for (const end = Date.now() + 10_000; platform.gateway.stats.lateAnswers === 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    assert.equal(platform.gateway.stats.lateAnswers, 1);
    assert.equal(platform.gateway.stats.unknownIds, 0);
  });

  it('restartSockets closes the tenant\'s socket with 1012 and reports no reconnect when none comes', async () => {
    const { platform, ws } = await socket(() => ({}));
    const closed = once(ws, 'close');
    const out = await platform.gateway.restartSockets(tenant, 200);
    assert.deepEqual(out, { closed: 1 });
    assert.equal((await closed)[0], 1012);
    await assert.rejects(platform.gateway.restartSockets(tenant, 10), (e: any) => e.code === 'EPOS_NOT_CONNECTED');
  });
});
