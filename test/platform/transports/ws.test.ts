import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { capability } from '../../../packages/contract/src/catalogue.ts';
import { PlatformError, isPlatformError } from '../../../packages/eposgate/src/platform/errors.ts';
import type { Caller, Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';
import { EposGateway, WsTransport, type EposGatewayOptions } from '../../../packages/eposgate/src/platform/transports/ws/index.ts';

const A: Tenant = { accountId: 'a', env: 'sandbox' };
const B: Tenant = { accountId: 'b', env: 'sandbox' };
const GET_ORDER = capability('GetOrderById');
const LIST_AREAS = capability('ListAreas');

async function authenticate(req: IncomingMessage): Promise<Caller> {
  const auth = req.headers.authorization;
  if (!auth) throw new PlatformError('MISSING_AUTHORIZATION', 'send Authorization: Basic <api key>');
  const m = /^Basic sk_sandbox_(\w+)$/.exec(auth);
  if (!m) throw new PlatformError('UNKNOWN_API_KEY', 'that API key is not known');
  const shid = req.headers['software-house-id'];
  if (typeof shid !== 'string' || !shid) throw new PlatformError('MISSING_SOFTWARE_HOUSE_ID', 'send the software-house-id header');
  const reseller = req.headers['reseller-id'];
  return {
    accountId: m[1], env: 'sandbox', keyId: `key_${m[1]}`, softwareHouseId: shid,
    ...(typeof reseller === 'string' ? { resellerId: reseller } : {}),
  };
}

interface Harness {
  gw: EposGateway;
  ws: WsTransport;
  server: Server;
  url: string;
  close(): Promise<void>;
}

const harnesses: Harness[] = [];
after(async () => { await Promise.all(harnesses.map((h) => h.close())); });

async function start(opts: Partial<EposGatewayOptions> = {}, connectGraceMs = 200): Promise<Harness> {
  const server = createServer((_req, res) => { res.statusCode = 404; res.end(); });
  const gw = new EposGateway({ authenticate, ...opts }).attach(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  let closed = false;
  const h: Harness = {
    gw, server, ws: new WsTransport(gw, { connectGraceMs }),
    url: `ws://127.0.0.1:${port}/epos`,
    async close() {
      if (closed) return;
      closed = true;
      await gw.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  harnesses.push(h);
  return h;
}

type Frame = { jsonrpc: string; id: string; method: string; params: Record<string, unknown> };

/** A real `ws` client playing the EPOS; `answer` decides the reply to each request (undefined: none). */
async function epos(
  h: Harness, account: string,
  answer: (f: Frame, sock: WebSocket) => unknown = (f) => ({ jsonrpc: '2.0', id: f.id, result: { echo: f.params, via: account } }),
  wsOpts: ConstructorParameters<typeof WebSocket>[2] = {},
): Promise<WebSocket & { frames: Frame[] }> {
  const sock = new WebSocket(h.url, {
    headers: { authorization: `Basic sk_sandbox_${account}`, 'software-house-id': 'sh_1', 'reseller-id': 'rs_1' },
    ...wsOpts,
  }) as WebSocket & { frames: Frame[] };
  sock.frames = [];
  sock.on('message', (data, isBinary) => {
    if (isBinary) return;
    const f = JSON.parse(data.toString()) as Frame;
    if (typeof f.method !== 'string') return;
    sock.frames.push(f);
    const reply = answer(f, sock);
    if (reply !== undefined) sock.send(typeof reply === 'string' ? reply : JSON.stringify(reply));
  });
  await once(sock, 'open');
  return sock;
}

async function rejection(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isPlatformError(e), `expected a PlatformError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

const call = (h: Harness, t: Tenant, params: Record<string, unknown> = { orderId: '42' }, timeoutMs = 1000, signal?: AbortSignal) =>
  h.ws.call(t, GET_ORDER, params, {}, { timeoutMs, signal });

describe('EPOS WebSocket gateway', () => {
  it('sends a JSON-RPC request with a string id, the wire method and params carrying the known headers', async () => {
    const h = await start();
    const sock = await epos(h, 'a');
    const result = await h.ws.call(A, GET_ORDER, { orderId: '42' }, { waiterId: 'w7', deviceType: 'Dojo Terminal', deviceId: '' }, { timeoutMs: 1000 });
    await h.ws.call(A, LIST_AREAS, {}, {}, { timeoutMs: 1000 });
    const [f, g] = sock.frames;
    assert.equal(typeof f.id, 'string');
    assert.deepEqual(f, { jsonrpc: '2.0', id: f.id, method: 'GetOrderByIdV1', params: { orderId: '42', headers: { waiterId: 'w7', deviceType: 'Dojo Terminal' } } });
    assert.deepEqual(g, { jsonrpc: '2.0', id: g.id, method: 'ListAreasV1', params: { headers: {} } });
    assert.notEqual(f.id, g.id);
    assert.deepEqual(result, { echo: f.params, via: 'a' });
  });

  it('matches 1,000 concurrent calls on one socket to their own answers, whatever the answer order', async () => {
    const h = await start();
    const held: Frame[] = [];
    const sock = await epos(h, 'a', (f, s) => {
      held.push(f);
      if (held.length === 1000) {
        for (let i = held.length - 1; i > 0; i -= 1) {
          const j = Math.floor(Math.random() * (i + 1));
          [held[i], held[j]] = [held[j], held[i]];
        }
        for (const x of held) s.send(JSON.stringify({ jsonrpc: '2.0', id: x.id, result: { orderId: x.params.orderId } }));
      }
      return undefined;
    });
    // Matching is checked, not speed: a generous timeout, for a loaded CI machine.
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => call(h, A, { orderId: `o${i}` }, 15_000)));
    results.forEach((r, i) => assert.deepEqual(r, { orderId: `o${i}` }));
    assert.equal(new Set(sock.frames.map((f) => f.id)).size, 1000);
  });

  it('times out a call the EPOS never answers, and drops the late answer', async () => {
    const h = await start();
    const held: Frame[] = [];
    const sock = await epos(h, 'a', (f) => { held.push(f); return undefined; });
    const t0 = performance.now();
    const err = await rejection(call(h, A, { orderId: '1' }, 150));
    assert.equal(err.code, 'EPOS_TIMEOUT');
    assert.match(err.message, /GetOrderByIdV1 within 150 ms/);
    assert.ok(performance.now() - t0 < 400);
    sock.send(JSON.stringify({ jsonrpc: '2.0', id: held[0].id, result: {} }));
    assert.deepEqual(await call(h, A, { orderId: '2' }, 10).catch((e: PlatformError) => e.code), 'EPOS_TIMEOUT');
    await waitFor(() => h.gw.stats.lateAnswers >= 1);
    assert.equal(h.gw.stats.unknownIds, 0);
  });

  it('fails calls in flight at once with EPOS_UNREACHABLE when the EPOS disconnects mid-call', async () => {
    const h = await start();
    await epos(h, 'a', (_f, s) => { setTimeout(() => s.close(1011, 'crash'), 20); return undefined; });
    const t0 = performance.now();
    const err = await rejection(call(h, A, { orderId: '1' }, 1500));
    assert.equal(err.code, 'EPOS_UNREACHABLE');
    assert.match(err.message, /disconnected mid-call.*not retried/);
    assert.ok(performance.now() - t0 < 500, 'rejected well before the timeout');
  });

  it('holds a call made during a reconnect gap until the EPOS connects within the grace', async () => {
    const h = await start({}, 800);
    const first = await epos(h, 'a');
    first.close();
    await once(h.gw, 'disconnect');
    assert.equal(h.gw.isConnected(A), false);
    const pending = call(h, A, { orderId: '9' }, 1500);
    await sleep(100);
    await epos(h, 'a');
    assert.deepEqual(await pending, { echo: { orderId: '9', headers: {} }, via: 'a' });
  });

  it('fails with EPOS_NOT_CONNECTED once the grace passes with no socket', async () => {
    const h = await start({}, 120);
    const t0 = performance.now();
    const err = await rejection(call(h, A));
    const took = performance.now() - t0;
    assert.equal(err.code, 'EPOS_NOT_CONNECTED');
    assert.equal(err.status, 503);
    assert.match(err.message, /no EPOS WebSocket connected for this account\/environment/);
    assert.ok(took >= 100 && took < 400, `took ${took} ms`);
    // the grace never outlasts the call's own timeout
    const t1 = performance.now();
    assert.equal((await rejection(call(h, A, {}, 30))).code, 'EPOS_NOT_CONNECTED');
    assert.ok(performance.now() - t1 < 100);
  });

  it('survives garbage, binary frames, unknown ids, requests and notifications from the EPOS', async () => {
    const h = await start();
    const replies: unknown[] = [];
    const bad = await epos(h, 'a', (f) => {
      if (f.params.orderId === 'mangled') return { jsonrpc: '1.0', id: f.id, result: {} };
      return { jsonrpc: '2.0', id: f.id, result: { ok: f.params.orderId } };
    });
    const other = await epos(h, 'b');
    bad.on('message', (d) => { const m = JSON.parse(d.toString()) as { error?: unknown }; if (m.error) replies.push(m); });
    bad.send('this is not json');
    bad.send('{"hello":"world"}');
    bad.send('[1,2]');
    bad.send(Buffer.from([1, 2, 3]), { binary: true });
    bad.send(JSON.stringify({ jsonrpc: '2.0', id: 'nobody-asked', result: {} }));
    bad.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'Hello', params: {} }));
    bad.send(JSON.stringify({ jsonrpc: '2.0', method: 'Tick' }));
    assert.deepEqual(await call(h, A, { orderId: 'x' }), { ok: 'x' });
    assert.deepEqual(await call(h, B, { orderId: 'y' }), { echo: { orderId: 'y', headers: {} }, via: 'b' });
    const err = await rejection(call(h, A, { orderId: 'mangled' }));
    assert.equal(err.code, 'EPOS_BAD_RESPONSE');
    assert.match(err.message, /"jsonrpc" is "1.0"/);
    await waitFor(() => replies.length === 1);
    assert.deepEqual(replies[0], { jsonrpc: '2.0', id: 7, error: { code: -32601, message: (replies[0] as { error: { message: string } }).error.message } });
    assert.equal(h.gw.stats.badFrames, 4);
    assert.equal(h.gw.stats.binaryFrames, 1);
    assert.equal(h.gw.stats.unknownIds, 1);
    assert.equal(h.gw.stats.peerMessages, 2);
    assert.equal(h.gw.connectionCount(A), 1);
    assert.equal(other.readyState, WebSocket.OPEN);
  });

  it('closes a socket sending an oversized frame with 1009, failing its calls; other tenants keep working', async () => {
    const h = await start({ maxPayload: 1024 });
    const big = await epos(h, 'a', (f) => ({ jsonrpc: '2.0', id: f.id, result: { blob: 'x'.repeat(4096) } }));
    await epos(h, 'b');
    const closed = once(big, 'close');
    const err = await rejection(call(h, A));
    assert.equal(err.code, 'EPOS_UNREACHABLE');
    assert.match(err.message, /larger than 1024 bytes/);
    const [code] = await closed;
    assert.equal(code, 1009);
    assert.deepEqual(await call(h, B, { orderId: 'z' }), { echo: { orderId: 'z', headers: {} }, via: 'b' });
  });

  it('maps an EPOSError to EPOS_ERROR and a bare JSON-RPC error to EPOS_BAD_RESPONSE', async () => {
    const h = await start();
    await epos(h, 'a', (f) => f.params.orderId === 'missing'
      ? { jsonrpc: '2.0', id: f.id, error: { errorType: 'NotFound', debugMessage: 'no order missing', traceId: 't-1' } }
      : { jsonrpc: '2.0', id: f.id, error: { code: -32000, message: 'database down' } });
    const e1 = await rejection(call(h, A, { orderId: 'missing' }));
    assert.equal(e1.code, 'EPOS_ERROR');
    assert.equal(e1.message, 'EPOS answered NotFound: no order missing');
    assert.deepEqual(e1.extra?.eposError, { errorType: 'NotFound', debugMessage: 'no order missing', traceId: 't-1' });
    const e2 = await rejection(call(h, A, { orderId: 'other' }));
    assert.equal(e2.code, 'EPOS_BAD_RESPONSE');
    assert.match(e2.message, /-32000 database down/);
  });

  it('routes calls to the newest socket and fails over to the next newest when it drops', async () => {
    const h = await start();
    const connects: string[] = [];
    h.gw.on('connect', (c) => connects.push(`${c.caller.accountId}/${c.caller.softwareHouseId}/${c.caller.resellerId}`));
    await epos(h, 'a', (f) => ({ jsonrpc: '2.0', id: f.id, result: 'old' }));
    const newer = await epos(h, 'a', (f) => ({ jsonrpc: '2.0', id: f.id, result: 'new' }));
    assert.equal(h.gw.connectionCount(A), 2);
    assert.equal(await call(h, A), 'new');
    assert.equal(await call(h, A), 'new');
    newer.close();
    const [gone] = await once(h.gw, 'disconnect');
    assert.equal(gone.caller.accountId, 'a');
    assert.equal(h.gw.connectionCount(A), 1);
    assert.equal(await call(h, A), 'old');
    assert.deepEqual(connects, ['a/sh_1/rs_1', 'a/sh_1/rs_1']);
  });

  it('terminates a peer that stops answering pings within about two intervals', async () => {
    const h = await start({ pingIntervalMs: 60 });
    const t0 = performance.now();
    const deaf = await epos(h, 'a', undefined, { autoPong: false });
    const healthy = await epos(h, 'b');
    await once(deaf, 'close');
    const took = performance.now() - t0;
    assert.ok(took < 250, `closed after ${took} ms`);
    await sleep(150);
    assert.equal(healthy.readyState, WebSocket.OPEN);
    assert.equal(h.gw.isConnected(A), false);
    assert.equal(h.gw.isConnected(B), true);
  });

  it("never sends tenant A's call to tenant B's socket", async () => {
    const h = await start({}, 50);
    const b = await epos(h, 'b');
    assert.equal((await rejection(call(h, A))).code, 'EPOS_NOT_CONNECTED');
    const a = await epos(h, 'a');
    await call(h, A, { orderId: 'for-a' });
    await call(h, B, { orderId: 'for-b' });
    assert.deepEqual(a.frames.map((f) => f.params.orderId), ['for-a']);
    assert.deepEqual(b.frames.map((f) => f.params.orderId), ['for-b']);
    assert.equal(h.gw.isConnected({ accountId: 'a', env: 'production' }), false);
  });

  it('refuses an upgrade with the status and a JSON reason', async () => {
    const h = await start();
    const refused = async (url: string, headers: Record<string, string>) => {
      const s = new WebSocket(url, { headers });
      s.on('error', () => {});
      const [, res] = await once(s, 'unexpected-response') as [unknown, IncomingMessage];
      let body = '';
      for await (const chunk of res) body += String(chunk);
      s.terminate();
      return { status: res.statusCode, type: res.headers['content-type'], body: JSON.parse(body) as unknown };
    };
    assert.deepEqual(await refused(h.url, {}), {
      status: 401, type: 'application/json; charset=utf-8', body: { error: 'MISSING_AUTHORIZATION', message: 'send Authorization: Basic <api key>' },
    });
    assert.deepEqual((await refused(h.url, { authorization: 'Basic nope' })).body, { error: 'UNKNOWN_API_KEY', message: 'that API key is not known' });
    const noShid = await refused(h.url, { authorization: 'Basic sk_sandbox_a' });
    assert.equal(noShid.status, 400);
    assert.equal((noShid.body as { error: string }).error, 'MISSING_SOFTWARE_HOUSE_ID');
    const wrongPath = await refused(h.url.replace('/epos', '/nope'), { authorization: 'Basic sk_sandbox_a', 'software-house-id': 's' });
    assert.equal(wrongPath.status, 404);
    assert.equal(h.gw.connectionCount(A), 0);
  });

  it('gives up a call whose caller aborts, with CALL_CANCELLED', async () => {
    const h = await start();
    await epos(h, 'a', () => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const err = await rejection(call(h, A, {}, 1000, ac.signal));
    assert.equal(err.code, 'CALL_CANCELLED');
  });

  it('shuts down gracefully: calls in flight fail, sockets close with 1001, later calls fail', async () => {
    const h = await start();
    const sock = await epos(h, 'a', () => undefined);
    const inFlight = call(h, A);
    await waitFor(() => sock.frames.length === 1);
    const closed = once(sock, 'close');
    const failed = rejection(inFlight);
    await h.close();
    const err = await failed;
    assert.equal(err.code, 'PLATFORM_STOPPING');
    assert.equal(err.message, 'platform shutting down');
    assert.equal((await closed)[0], 1001);
    assert.equal((await rejection(call(h, A))).message, 'platform shutting down');
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, ms = 1000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail('condition not met in time');
    await sleep(5);
  }
}

describe('EPOS WebSocket gateway, hostile upgrades', () => {
  it('an upgrade with a request target the URL parser refuses is answered 404, and the server keeps serving', async () => {
    const { connect: tcp } = await import('node:net');
    const server = createServer((_req, res) => res.end('ok'));
    const gateway = new EposGateway({ authenticate: async () => { throw new Error('not reached'); } }).attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const s = tcp(port, '127.0.0.1', () => {
          s.write('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
        });
        let data = '';
        s.on('data', (d) => (data += d));
        s.on('close', () => resolve(data));
        s.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 404/);
      const still = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      assert.equal(still, 'ok');
    } finally {
      await gateway.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
