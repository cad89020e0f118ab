// Hostile HTTP clients: deep JSON, huge strings, slowloris bodies and headers, non-reading SSE
// streams. One platform for the file; the victim tenant's product calls run through every attack
// and must all succeed with p99 < 500 ms while the platform's RSS grows < 150 MB (helpers.ts BOUNDS).
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { api } from '../helpers/platform.ts';
import { ATTACKER, HOSTILE_LIMITS, arena, closedByServer, pool, rawConnection, tally, underAttack, type Arena } from './helpers.ts';

let a: Arena;
before(async () => { a = await arena(); });
after(async () => { await a.close(); });

const BODY_ROUTES: readonly [string, string][] = [
  ['POST', '/epos/data/v1/orders/search'],
  ['POST', '/epos/data/v1/events'],
  ['POST', '/epos/events'],
  ['PUT', '/epos/integrations/ws'],
  ['POST', '/epos-tester-tool/flows'],
];

const attacker = (method: string, path: string, opts: { body?: unknown; rawBody?: string } = {}) =>
  api(a.p.url, method, path, { key: a.attackerKey, ...opts });

/** What the server sent on `s` until it closed it (or `timeoutMs` passed), and whether it closed. */
async function readUntilClosed(s: Socket, timeoutMs: number): Promise<{ closed: boolean; text: string; ms: number }> {
  const t0 = Date.now();
  let text = '';
  s.on('data', (d: Buffer) => { if (text.length < 4096) text += d.toString('latin1'); });
  const closed = await closedByServer(s, timeoutMs);
  return { closed, text, ms: Date.now() - t0 };
}

describe('hostile HTTP clients', () => {
  it('deep JSON bodies (just past jsonDepth, and 100,000 deep) get 400 JSON_TOO_DEEP on every body route', async () => {
    const depth = HOSTILE_LIMITS.jsonDepth!;
    const nest = (n: number) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;
    const { result } = await underAttack(a, () => pool(BODY_ROUTES.flatMap(([m, p]) => [[m, p, depth + 1], [m, p, 100_000]] as const), 4,
      ([m, p, n]) => attacker(m, p, { rawBody: nest(n) }).then((r) => ({ route: `${m} ${p} depth ${n}`, r }))));
    for (const { route, r } of result) {
      assert.equal(`${r.status} ${r.body?.error}`, '400 JSON_TOO_DEEP', `${route}: ${r.text.slice(0, 300)}`);
    }
    // Within the limit the body is parsed and judged on its content as before.
    const ok = await attacker('POST', '/epos/events', { rawBody: `{"eventType":"OrderUpdated","event":{"orderId":"o-1","x":${'['.repeat(depth - 3)}${']'.repeat(depth - 3)}}}` });
    assert.equal(ok.status, 200, ok.text.slice(0, 300));
  });

  it('huge strings within bodyBytes but past stringChars / idChars get 400 VALIDATION_FAILED, quickly', async () => {
    const big = (n: number) => 'x'.repeat(n);
    const { result } = await underAttack(a, () => pool([
      ['search body', () => attacker('POST', '/epos/data/v1/orders/search', { body: { dineIn: { tableId: big(200_000) } } })],
      ['order id in the path', () => attacker('GET', `/epos/data/v1/orders/${big(6000)}`)],
      ['party id in the path', () => attacker('GET', `/epos/data/v1/parties/${big(6000)}`)],
      ...Array.from({ length: 10 }, (_, i) => [`POS event ${i} with a 900 KB id`, () => attacker('POST', '/epos/events', { body: { eventType: 'OrderUpdated', event: { orderId: big(900_000) } } })] as const),
      ['event id of a raised event', () => attacker('POST', '/epos/data/v1/events', { body: { id: big(100_000), event: 'payment_intent.created', data: {} } })],
      // Long capability names once cost seconds of "did you mean" edit distance on the event loop.
      ['registration with long capability names', () => attacker('PUT', '/epos/integrations/ws', { body: { capabilities: [1, 2, 3].map((i) => ({ name: big(3000) + i, version: 'v1' })) } })],
    ] as const, 3, async ([what, call]) => ({ what, r: await call() })));
    for (const { what, r } of result) {
      assert.equal(r.status, 400, `${what}: ${r.text.slice(0, 300)}`);
      assert.ok(r.text.length < 8 * 1024, `${what}: the error body does not echo the huge string (${r.text.length} chars)`);
    }
    const events = await api(a.p.url, 'GET', '/epos/events?limit=500', { key: a.attackerKey });
    const long = (events.body.events as { event: { orderId?: string } }[]).filter((e) => (e.event.orderId ?? '').length > HOSTILE_LIMITS.idChars!);
    assert.equal(long.length, 0, 'no POS event with a huge id was stored');
  });

  it('slowloris: a body or headers trickled slower than bodyReadTimeoutMs get 408 or a closed socket', async () => {
    const limit = HOSTILE_LIMITS.bodyReadTimeoutMs!;
    const auth = `Authorization: Basic ${a.attackerKey}\r\nsoftware-house-id: slow\r\n`;
    const slow = async (kind: 'body' | 'headers') => {
      const s = await rawConnection(a);
      s.write(kind === 'body'
        ? `POST /epos/events HTTP/1.1\r\nHost: x\r\n${auth}content-type: application/json\r\ncontent-length: 1000\r\n\r\n{`
        : `GET /epos/events HTTP/1.1\r\nHost: x\r\n${auth}`);
      const drip = setInterval(() => { if (!s.destroyed) s.write(kind === 'body' ? ' ' : 'x-drip: 1\r\n'); }, 100);
      try {
        return { kind, ...(await readUntilClosed(s, limit + 2000)) };
      } finally {
        clearInterval(drip);
        s.destroy();
      }
    };
    const { result } = await underAttack(a, () => pool(Array.from({ length: 40 }, (_, i) => (i % 2 ? 'body' : 'headers') as 'body' | 'headers'), 40, slow));
    for (const r of result) {
      assert.ok(r.closed, `a slow ${r.kind} still open after ${r.ms} ms (bodyReadTimeoutMs ${limit})`);
      assert.ok(r.text === '' || /^HTTP\/1\.1 408/.test(r.text), `a slow ${r.kind} got: ${r.text.slice(0, 200)}`);
    }
  });

  it('a non-reading SSE client is cut off (stalled for 2 keep-alive periods, or past streamBufferBytes queued)', async () => {
    // A backlog of ~10 MB for each stream, far past the kernel's buffers and streamBufferBytes.
    const shid = 's'.repeat(2000);
    for (let i = 0; i < 5000; i++) {
      await a.p.store.eposEvents.append({ tenant: ATTACKER, eventType: 'OrderUpdated', event: { orderId: `o-${i}` }, receivedAt: new Date().toISOString(), keyId: 'k', softwareHouseId: shid });
    }
    const streams: Socket[] = [];
    try {
      const { result } = await underAttack(a, async () => {
        for (let i = 0; i < HOSTILE_LIMITS.streamsPerTenant!; i++) {
          const s = await rawConnection(a);
          // Never read: no 'data' listener, so the socket stops reading once its small buffer is full.
          s.write(`GET /epos/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${a.attackerKey}\r\nsoftware-house-id: sse\r\n\r\n`);
          streams.push(s);
        }
        // New events keep waking the streams while they do not read.
        await pool(Array.from({ length: 50 }, (_, i) => i), 5, (i) => attacker('POST', '/epos/events', { body: { eventType: 'OrderUpdated', event: { orderId: `live-${i}` } } }));
        await sleep(1000);
        return Promise.all(streams.map((s) => readUntilClosed(s, 2000)));
      }, { minVictimMs: 500 });
      assert.deepEqual(tally(result.map((r) => (r.closed ? 'cut off' : 'still open'))), { 'cut off': streams.length });
    } finally {
      for (const s of streams) s.destroy();
    }
  });

  it('streams past streamsPerTenant are refused 429 TOO_MANY_STREAMS', async () => {
    // A fresh tenant: the streams cut off above may still be closing.
    const { key } = await a.p.keys.create('streamer', 'sandbox');
    const open: AbortController[] = [];
    try {
      const statuses: number[] = [];
      const bodies: string[] = [];
      for (let i = 0; i < HOSTILE_LIMITS.streamsPerTenant! + 2; i++) {
        const ac = new AbortController();
        open.push(ac);
        const res = await fetch(`${a.p.url}/epos/events/stream`, { headers: { authorization: `Basic ${key}`, 'software-house-id': 'sse' }, signal: ac.signal });
        statuses.push(res.status);
        if (res.status !== 200) bodies.push(await res.text());
      }
      assert.deepEqual(statuses, [...Array(HOSTILE_LIMITS.streamsPerTenant!).fill(200), 429, 429]);
      for (const b of bodies) assert.equal(JSON.parse(b).error, 'TOO_MANY_STREAMS');
    } finally {
      for (const ac of open) ac.abort();
    }
  });
});
