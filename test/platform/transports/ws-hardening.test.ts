// The EPOS WebSocket against hostile or broken EPOSes, on real sockets and a real platform: no
// input crashes it, bloats it, or keeps a socket open past its key.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import WebSocket from 'ws';
import { capability } from '../../../packages/contract/src/catalogue.ts';
import { isPlatformError, type PlatformError } from '../../../packages/eposgate/src/platform/errors.ts';
import { SqliteStore } from '../../../packages/eposgate/src/platform/store/sqlite/index.ts';
import type { Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';
import type { DisconnectInfo } from '../../../packages/eposgate/src/platform/transports/ws/index.ts';
import { WsTransport } from '../../../packages/eposgate/src/platform/transports/ws/index.ts';
import { testPlatform, type TestPlatform } from '../../helpers/platform.ts';

const TENANT: Tenant = { accountId: 'acc-1', env: 'sandbox' };
const GET_ORDER = capability('GetOrderById');

type Frame = { jsonrpc: string; id: string; method: string; params: Record<string, unknown> };
type Ctx = { after(fn: () => Promise<void> | void): void };

async function setup(t: Ctx, opts: Parameters<typeof testPlatform>[0] = {}) {
  const p = await testPlatform(opts);
  t.after(() => p.destroy());
  const { key, record } = await p.keys.create(TENANT.accountId, TENANT.env);
  return { p, key, keyId: record.id, transport: new WsTransport(p.gateway, { connectGraceMs: 500 }) };
}

interface Client {
  ws: WebSocket;
  frames: Frame[];
  closed: Promise<{ code: number; reason: string }>;
}

/**
 * A raw `ws` EPOS. `answer` returns the frame to send back (an object is JSON-encoded, a string
 * sent as is), or undefined for silence.
 */
async function client(
  p: TestPlatform, key: string, answer: (f: Frame) => unknown = (f) => ({ jsonrpc: '2.0', id: f.id, result: { ok: f.id } }),
  wsOpts: WebSocket.ClientOptions = {},
): Promise<Client> {
  const ws = new WebSocket(`${p.url.replace(/^http/, 'ws')}/epos`, {
    headers: { authorization: `Basic ${key}`, 'software-house-id': 'sh' }, ...wsOpts,
  });
  const frames: Frame[] = [];
  ws.on('message', (data) => {
    const f = JSON.parse(data.toString()) as Frame;
    frames.push(f);
    if (typeof f.method !== 'string') return;
    const a = answer(f);
    if (a !== undefined && ws.readyState === WebSocket.OPEN) ws.send(typeof a === 'string' ? a : JSON.stringify(a));
  });
  ws.on('error', () => { /* the close event says what happened */ });
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, frames, closed };
}

/** An upgrade's refusal: status, headers and JSON body. */
function refusedUpgrade(p: TestPlatform, key: string): Promise<{ status: number; headers: Record<string, unknown>; body: { error: string; message: string } }> {
  const ws = new WebSocket(`${p.url.replace(/^http/, 'ws')}/epos`, { headers: { authorization: `Basic ${key}`, 'software-house-id': 'sh' } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => { ws.terminate(); reject(new Error('the upgrade was accepted')); });
    ws.once('error', () => { /* follows unexpected-response */ });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
    });
  });
}

function rejection(p: Promise<unknown>): Promise<PlatformError> {
  return p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => {
      assert.ok(isPlatformError(e), `a PlatformError, got ${String(e)}`);
      return e;
    },
  );
}

function nextDisconnect(p: TestPlatform): Promise<DisconnectInfo> {
  return once(p.gateway, 'disconnect').then(([d]) => d as DisconnectInfo);
}

/** `p`, or a failure naming `what` after `ms`: a regression fails instead of hanging the file. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function deeplyNested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('EPOS WebSocket hardening: calls that cannot be sent', () => {
  it('a call whose params cannot be serialised to a silent EPOS rejects with a PlatformError and the platform keeps serving past its timeout', async (t) => {
    const { p, key, transport } = await setup(t);
    let silent = true;
    const epos = await client(p, key, (f) => (silent ? undefined : { jsonrpc: '2.0', id: f.id, result: { served: true } }));
    t.after(() => epos.ws.terminate());

    const big = await rejection(transport.call(TENANT, GET_ORDER, { orderId: 1n as unknown as string }, {}, { timeoutMs: 200 }));
    assert.equal(big.code, 'BAD_REQUEST');
    assert.match(big.message, /GetOrderByIdV1 request cannot be sent as JSON/);
    const deep = await rejection(transport.call(TENANT, GET_ORDER, { orderId: 'o', x: deeplyNested(200_000) }, {}, { timeoutMs: 200 }));
    assert.equal(deep.code, 'BAD_REQUEST');

    // Past both calls' timeouts: no orphaned timer fires (node:test fails the file on an unhandled rejection).
    await sleep(400);
    assert.equal(epos.frames.length, 0, 'nothing was sent');
    silent = false;
    assert.deepEqual(await transport.call(TENANT, GET_ORDER, { orderId: 'o1' }, {}, { timeoutMs: 2000 }), { served: true });
  });

  it('call ids count per socket: one EPOS sees nothing of the calls made on another', async (t) => {
    const { p, key, transport } = await setup(t);
    const other = await p.keys.create('acc-2', 'sandbox');
    const a = await client(p, key);
    const b = await client(p, other.key);
    t.after(() => { a.ws.terminate(); b.ws.terminate(); });
    for (let i = 0; i < 5; i++) await transport.call(TENANT, GET_ORDER, { orderId: `a${i}` }, {}, { timeoutMs: 2000 });
    await transport.call({ accountId: 'acc-2', env: 'sandbox' }, GET_ORDER, { orderId: 'b0' }, {}, { timeoutMs: 2000 });
    await transport.call({ accountId: 'acc-2', env: 'sandbox' }, GET_ORDER, { orderId: 'b1' }, {}, { timeoutMs: 2000 });
    assert.deepEqual(b.frames.map((f) => f.id), ['1', '2']);
    assert.equal(new Set(a.frames.map((f) => f.id)).size, 5, 'unique on the socket');
  });
});

describe('EPOS WebSocket hardening: a peer that does not read', () => {
  it('a socket whose EPOS stops reading is closed once its outbound buffer passes the limit, its calls fail with EPOS_UNREACHABLE, and memory stays bounded', async (t) => {
    const limit = 512 * 1024;
    const { p, key, transport } = await setup(t, { limits: { socketOutboundBytes: limit } });
    const epos = await client(p, key, () => undefined);
    t.after(() => epos.ws.terminate());
    (epos.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const gone = nextDisconnect(p);

    const filler = 'x'.repeat(64 * 1024);
    const rssBefore = process.memoryUsage().rss;
    const calls: Promise<PlatformError>[] = [];
    let sent = 0;
    // 2000 × 64 KiB would be 128 MiB queued without the limit.
    while (sent < 2000 && p.gateway.isConnected(TENANT)) {
      calls.push(rejection(transport.call(TENANT, GET_ORDER, { orderId: 'o', filler }, {}, { timeoutMs: 10_000 })));
      sent += 1;
      if (sent % 16 === 0) await sleep(1);
    }
    assert.ok(sent < 2000, `closed after ${sent} calls`);
    const d = await within(5000, 'the socket closing', gone);
    assert.match(d.cause ?? '', /EPOS is not reading its socket/);
    assert.match(d.cause ?? '', /socketOutboundBytes/);
    const errs = await Promise.all(calls);
    assert.ok(errs.every((e) => e.code === 'EPOS_UNREACHABLE'), errs.map((e) => e.code).join());
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 96 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MiB`);
  });
});

describe('EPOS WebSocket hardening: inbound rates', () => {
  it('an EPOS sending more frames per second than framesPerSecond/frameBurst is closed with 1008 naming the limit', async (t) => {
    const { p, key } = await setup(t, { limits: { framesPerSecond: 20, frameBurst: 40 } });
    const epos = await client(p, key);
    for (let i = 0; i < 200 && epos.ws.readyState === WebSocket.OPEN; i++) epos.ws.send('{"jsonrpc":"2.0","method":"Tick"}');
    const { code, reason } = await epos.closed;
    assert.equal(code, 1008);
    assert.match(reason, /more than 20 frames per second \(framesPerSecond\)/);
  });

  it('an EPOS sending more bytes per second than inboundBytesPerSecond is closed with 1008 naming the limit', async (t) => {
    const { p, key } = await setup(t, { limits: { inboundBytesPerSecond: 20_000, frameBytes: 16_384 } });
    const epos = await client(p, key);
    const frame = JSON.stringify({ jsonrpc: '2.0', method: 'Tick', params: { pad: 'x'.repeat(10_000) } });
    for (let i = 0; i < 10 && epos.ws.readyState === WebSocket.OPEN; i++) epos.ws.send(frame);
    const { code, reason } = await epos.closed;
    assert.equal(code, 1008);
    assert.match(reason, /inboundBytesPerSecond/);
  });

  it('answers to the platform\'s own calls do not use up the inbound rates: a busy EPOS keeps its socket', async (t) => {
    const { p, key, transport } = await setup(t, { limits: { framesPerSecond: 5, frameBurst: 5, inboundBytesPerSecond: 1000, frameBytes: 1000 } });
    const epos = await client(p, key, (f) => ({ jsonrpc: '2.0', id: f.id, result: { pad: 'x'.repeat(500) } }));
    t.after(() => epos.ws.terminate());
    await Promise.all(Array.from({ length: 100 }, (_v, i) => transport.call(TENANT, GET_ORDER, { orderId: `o${i}` }, {}, { timeoutMs: 2000 })));
    assert.equal(epos.ws.readyState, WebSocket.OPEN);
    assert.equal(p.gateway.connectionCount(TENANT), 1);
  });
});

describe('EPOS WebSocket hardening: frames the platform will not parse or echo', () => {
  it('an answer nested deeper than jsonDepth fails its call with EPOS_BAD_RESPONSE naming the limit, and the socket serves on', async (t) => {
    const { p, key, transport } = await setup(t, { limits: { jsonDepth: 16 } });
    const epos = await client(p, key, (f) => (f.params.orderId === 'deep'
      ? `{"result":${'['.repeat(100_000)}${']'.repeat(100_000)},"jsonrpc":"2.0","id":${JSON.stringify(f.id)}}`
      : { jsonrpc: '2.0', id: f.id, result: { fine: true } }));
    t.after(() => epos.ws.terminate());
    const err = await rejection(transport.call(TENANT, GET_ORDER, { orderId: 'deep' }, {}, { timeoutMs: 5000 }));
    assert.equal(err.code, 'EPOS_BAD_RESPONSE');
    assert.match(err.message, /deeper than 16 levels \(limits\.jsonDepth\)/);
    assert.equal(p.gateway.stats.badFrames, 1);
    assert.deepEqual(await transport.call(TENANT, GET_ORDER, { orderId: 'ok' }, {}, { timeoutMs: 2000 }), { fine: true });
  });

  it('EPOS strings are clipped: the method-not-found answer, the id echoed, JSON-RPC error messages and every log line', async (t) => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(...chunk.toString().split('\n').filter(Boolean)); cb(); } });
    const { p, key, transport } = await setup(t, { logger: pino({ level: 'debug' }, sink) });
    const huge = 'M'.repeat(200_000);
    const epos = await client(p, key, (f) => ({ jsonrpc: '2.0', id: f.id, error: { code: -32000, message: huge } }));
    t.after(() => epos.ws.terminate());

    const err = await rejection(transport.call(TENANT, GET_ORDER, { orderId: 'o' }, {}, { timeoutMs: 2000 }));
    assert.equal(err.code, 'EPOS_BAD_RESPONSE');
    assert.ok(err.message.length < 400, `message is ${err.message.length} chars`);
    assert.ok(JSON.stringify(err.toJSON()).length < 800);

    const before = epos.frames.length;
    epos.ws.send(JSON.stringify({ jsonrpc: '2.0', id: huge, method: huge }));
    epos.ws.send(JSON.stringify({ jsonrpc: huge, id: 'x', result: 1 }));
    epos.ws.send(JSON.stringify({ jsonrpc: '2.0', method: huge }));
    while (epos.frames.length === before) await sleep(10);
    const reply = epos.frames.at(-1) as unknown as { id: unknown; error: { code: number; message: string } };
    assert.equal(reply.id, null, 'an id longer than idChars is not echoed');
    assert.equal(reply.error.code, -32601);
    assert.match(reply.error.message, /^Method not found: M{512}…\(\+199488 chars\)\. The platform/);
    // Header values land in the "EPOS connected" line.
    const second = await client(p, key, undefined, { headers: { authorization: `Basic ${key}`, 'software-house-id': 'S'.repeat(10_000) } });
    second.ws.terminate();
    await sleep(50);
    assert.ok(lines.some((l) => l.includes('"softwareHouseId":"SSS')), 'the connect line was logged');
    assert.ok(lines.length >= 3);
    for (const l of lines) assert.ok(l.length < 3000, `log line of ${l.length} chars: ${l.slice(0, 200)}`);
  });
});

describe('EPOS WebSocket hardening: liveness', () => {
  it('a peer that floods frames but never pongs is terminated as dead', async (t) => {
    const { p, key } = await setup(t, { pingIntervalMs: 100 });
    const epos = await client(p, key, undefined, { autoPong: false });
    const gone = nextDisconnect(p);
    const flood = setInterval(() => { if (epos.ws.readyState === WebSocket.OPEN) epos.ws.send('{"jsonrpc":"2.0","method":"Alive"}'); }, 10);
    t.after(() => { clearInterval(flood); epos.ws.terminate(); });
    const d = await within(2000, 'the dead peer being terminated', gone);
    assert.match(d.cause ?? '', /no pong/);
  });
});

describe('EPOS WebSocket hardening: upgrades', () => {
  it('an upgrade past socketsPerTenant is refused 429 TOO_MANY_SOCKETS, also when the upgrades come in one burst', async (t) => {
    const { p, key } = await setup(t, { limits: { socketsPerTenant: 2 } });
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, () => client(p, key)));
    const opened = attempts.filter((a) => a.status === 'fulfilled');
    t.after(() => { for (const a of opened) a.value.ws.terminate(); });
    assert.equal(opened.length, 2);
    assert.equal(p.gateway.connectionCount(TENANT), 2);
    const refused = await refusedUpgrade(p, key);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error, 'TOO_MANY_SOCKETS');
    assert.match(refused.body.message, /2 EPOS sockets open \(socketsPerTenant\)/);

    // Another tenant is not affected, and a closed socket frees its place.
    const other = await p.keys.create('acc-2', 'sandbox');
    const o = await client(p, other.key);
    o.ws.terminate();
    opened[0].value.ws.close();
    await opened[0].value.closed;
    while (p.gateway.connectionCount(TENANT) > 1) await sleep(10);
    (await client(p, key)).ws.terminate();
  });

  it('upgrades past upgradesPerSecond/upgradeBurst from one address are refused 429 with Retry-After, before authentication', async (t) => {
    const { p, key } = await setup(t, { limits: { upgradesPerSecond: 1, upgradeBurst: 3 } });
    const first = await refusedUpgrade(p, 'sk_sandbox_notakeyatallnotakey');
    assert.equal(first.status, 401, 'within the burst, authentication answers');
    const ok = [await client(p, key), await client(p, key)];
    t.after(() => { for (const c of ok) c.ws.terminate(); });
    const limited = await refusedUpgrade(p, 'sk_sandbox_notakeyatallnotakey');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, 'RATE_LIMITED');
    assert.match(limited.body.message, /upgradesPerSecond/);
    assert.equal(limited.headers['retry-after'], '1');
  });
});

describe('EPOS WebSocket hardening: revocation', () => {
  it("a socket whose key is revoked by another process is closed with 4401; another key's socket of the same tenant keeps serving", async (t) => {
    const { p, key, keyId, transport } = await setup(t);
    const second = await p.keys.create(TENANT.accountId, TENANT.env, { label: 'second' });
    const revoked = await client(p, key, (f) => ({ jsonrpc: '2.0', id: f.id, result: { via: 'first' } }), {});
    const survivor = await client(p, second.key, (f) => ({ jsonrpc: '2.0', id: f.id, result: { via: 'second' } }));
    t.after(() => { revoked.ws.terminate(); survivor.ws.terminate(); });

    // What `eposgate keys revoke` does: a second store on the same data directory.
    const cli = new SqliteStore(p.dataDir);
    const started = performance.now();
    try {
      assert.equal(await cli.keys.revoke(keyId, new Date().toISOString()), true);
    } finally {
      await cli.close();
    }
    const { code, reason } = await within(3000, 'the revoked socket closing', revoked.closed);
    const took = performance.now() - started;
    assert.equal(code, 4401);
    assert.equal(reason, 'API key revoked');
    assert.ok(took < 1500, `closed after ${Math.round(took)} ms`);
    assert.equal(survivor.ws.readyState, WebSocket.OPEN);
    assert.deepEqual(await transport.call(TENANT, GET_ORDER, { orderId: 'o1' }, {}, { timeoutMs: 2000 }), { via: 'second' });
  });

  it('a call in flight on a socket whose key is revoked fails with EPOS_UNREACHABLE at once', async (t) => {
    const { p, key, keyId, transport } = await setup(t);
    const epos = await client(p, key, () => undefined);
    t.after(() => epos.ws.terminate());
    const call = rejection(transport.call(TENANT, GET_ORDER, { orderId: 'o1' }, {}, { timeoutMs: 10_000 }));
    while (epos.frames.length === 0) await sleep(5);
    await p.keys.revoke(keyId);
    const err = await call;
    assert.equal(err.code, 'EPOS_UNREACHABLE');
    assert.match(err.message, /revoked/);
    assert.equal((await epos.closed).code, 4401);
  });
});
