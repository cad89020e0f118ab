// Drain (docs/cluster.md, "Drain") over real sockets: calls in flight are answered, not failed; new
// calls, sockets, flows and streams are refused with 503 PLATFORM_STOPPING; the EPOS is told to
// reconnect (1012) only once its calls answered, and with a list of URLs it moves to the next node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import WebSocket from 'ws';
import { connect, defineEpos, register, type DisconnectInfo, type ReconnectInfo } from '../../packages/sdk/src/index.ts';
import type { Tenant } from '../../packages/eposgate/src/platform/tenant.ts';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import { ACCOUNT, SOFTWARE_HOUSE, until } from './setup.ts';
import { sse } from '../platform/events/helpers.ts';

const TENANT: Tenant = { accountId: ACCOUNT, env: 'sandbox' };
const AREAS = [{ id: 'a1', name: 'Room' }];
const HANDLER_MS = 300;
const wsUrl = (p: TestPlatform) => p.url.replace(/^http/, 'ws') + '/epos';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An EPOS whose ListAreas waits until release(), counting the calls it answered: the calls stay in
 * flight however slow the machine, so the drain cannot end while a test still probes it.
 */
function heldEpos() {
  const seen = { answered: 0 };
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const epos = defineEpos({
    ListAreas: async () => {
      await held;
      seen.answered += 1;
      return AREAS;
    },
  });
  return { epos, seen, release };
}

/** An EPOS whose ListAreas takes HANDLER_MS, counting the calls it answered. */
function slowEpos() {
  const seen = { answered: 0 };
  const epos = defineEpos({
    ListAreas: async () => {
      await sleep(HANDLER_MS);
      seen.answered += 1;
      return AREAS;
    },
  });
  return { epos, seen };
}

/** A raw HTTP GET, to read the headers fetch hides (Connection). */
function rawGet(base: string, path: string, key: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { headers: { authorization: `Basic ${key}`, 'software-house-id': SOFTWARE_HOUSE } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Dials the EPOS socket and answers the refusal's status and body. A dial that fails (refused, cut)
 * rejects: with its error swallowed, the promise would never settle and, once nothing else held the
 * event loop, node:test would cancel every test of the file ("Promise resolution is still pending").
 */
async function refusedUpgrade(url: string, key: string): Promise<{ status: number; retryAfter?: string; body: any }> {
  const s = new WebSocket(url, { headers: { authorization: `Basic ${key}`, 'software-house-id': SOFTWARE_HOUSE } });
  return new Promise((resolve, reject) => {
    // Also the error terminate() raises after the refusal was read: by then the promise has settled.
    s.on('error', (err) => reject(new Error(`the upgrade got no HTTP answer: ${err.message}`)));
    s.once('open', () => { s.terminate(); reject(new Error('the upgrade was accepted')); });
    s.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: JSON.parse(text) });
        s.terminate();
      });
    });
  });
}

test('a drain answers the calls in flight (200, none failed), refuses new ones with 503 PLATFORM_STOPPING, and sends 1012 after the answers', async (t) => {
  // Generous bounds: the calls are held by hand, not by time (a 300 ms handler let a loaded machine
  // finish the drain, and close the port, before the refusals below were all asked).
  const p = await testPlatform({ callTimeoutMs: 60_000 });
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  const { epos, seen, release } = heldEpos();
  await register(epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SOFTWARE_HOUSE, transport: 'ws' });
  const conn = connect(epos, { url: wsUrl(p), apiKey: key, softwareHouseId: SOFTWARE_HOUSE, reconnect: false });
  conn.on('error', () => {});
  const disconnects: (DisconnectInfo & { answeredBefore: number })[] = [];
  conn.on('disconnect', (d: DisconnectInfo) => disconnects.push({ ...d, answeredBefore: seen.answered }));
  t.after(async () => {
    release();
    await conn.close();
    await p.destroy();
  });
  await until(() => p.gateway.isConnected(TENANT), 'the EPOS socket');

  const inFlight = Array.from({ length: 5 }, () => api(p.url, 'GET', '/epos/data/v1/areas', { key }));
  await until(() => conn.inFlight === 5, 'the calls to reach the handler');
  let settled = false;
  const drained = p.drain({ deadlineMs: 60_000 }).finally(() => { settled = true; });

  // New work of every kind is refused while the calls in flight finish.
  const late = await rawGet(p.url, '/epos/data/v1/areas', key);
  assert.equal(late.status, 503);
  assert.equal(late.body.error, 'PLATFORM_STOPPING');
  assert.equal(late.headers['retry-after'], '1');
  assert.equal(late.headers.connection, 'close');
  const flow = await api(p.url, 'POST', '/epos-tester-tool/flows', { key, body: { flow: 'Get Order', params: { orderId: 'ord_0001' } } });
  assert.equal(flow.status, 503);
  assert.equal(flow.body.error, 'PLATFORM_STOPPING');
  const stream = await api(p.url, 'GET', '/epos/events/stream', { key });
  assert.equal(stream.status, 503);
  assert.equal(stream.body.error, 'PLATFORM_STOPPING');
  const upgrade = await refusedUpgrade(wsUrl(p), key);
  assert.equal(upgrade.status, 503);
  assert.equal(upgrade.retryAfter, '1');
  assert.equal(upgrade.body.error, 'PLATFORM_STOPPING');

  assert.equal(settled, false, 'the drain waits for the calls in flight');
  assert.equal(seen.answered, 0);
  release();
  const answers = await Promise.all(inFlight);
  for (const a of answers) {
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.body, AREAS);
  }
  await drained;
  assert.equal(seen.answered, 5);
  assert.equal(disconnects.length, 1);
  assert.equal(disconnects[0]!.code, 1012);
  assert.equal(disconnects[0]!.reason, 'service restart');
  assert.equal(disconnects[0]!.answeredBefore, 5, '1012 came after the handlers answered');
  assert.equal((await p.metrics.prometheus()).includes('PLATFORM_STOPPING'), false, 'no call failed');
});

test('past the deadline a call still in flight fails 503 PLATFORM_STOPPING', async (t) => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const epos = defineEpos({ ListAreas: async () => { await held; return AREAS; } });
  const p = await testPlatform({ callTimeoutMs: 5000 });
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  await register(epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SOFTWARE_HOUSE, transport: 'ws' });
  const conn = connect(epos, { url: wsUrl(p), apiKey: key, softwareHouseId: SOFTWARE_HOUSE, reconnect: false, drainTimeoutMs: 100 });
  conn.on('error', () => {});
  const codes: number[] = [];
  conn.on('disconnect', (d: DisconnectInfo) => codes.push(d.code));
  t.after(async () => {
    release();
    await conn.close();
    await p.destroy();
  });
  await until(() => p.gateway.isConnected(TENANT), 'the EPOS socket');
  const inFlight = api(p.url, 'GET', '/epos/data/v1/areas', { key });
  await until(() => conn.inFlight === 1, 'the call to reach the handler');
  const t0 = Date.now();
  await p.drain({ deadlineMs: 200 });
  assert.ok(Date.now() - t0 < 3000, 'the deadline bounds the drain');
  const res = await inFlight;
  assert.equal(res.status, 503, res.text);
  assert.equal(res.body.error, 'PLATFORM_STOPPING');
  assert.match(res.body.message, /drain deadline passed .* may have executed/);
  await until(() => codes.length === 1, 'the close');
  assert.equal(codes[0], 1012);
});

test('with two platforms, the EPOS drained off the first (1012) reconnects to the second, losing no call', async (t) => {
  const a = await testPlatform({ callTimeoutMs: 5000 });
  const b = await testPlatform({ callTimeoutMs: 5000, connectGraceMs: 3000 });
  // One key, known to both nodes (each its own SQLite data dir, as a cluster's shared store would be).
  const { key } = await a.keys.create(ACCOUNT, 'sandbox');
  await b.keys.create(ACCOUNT, 'sandbox', { key });
  const { epos, seen } = slowEpos();
  for (const p of [a, b]) await register(epos, { platformUrl: p.url, apiKey: key, softwareHouseId: SOFTWARE_HOUSE, transport: 'ws' });
  const conn = connect(epos, { url: [wsUrl(a), wsUrl(b)], apiKey: key, softwareHouseId: SOFTWARE_HOUSE, reconnect: { minMs: 20, maxMs: 100 } });
  conn.on('error', () => {});
  const disconnects: DisconnectInfo[] = [];
  const dials: ReconnectInfo[] = [];
  conn.on('disconnect', (d: DisconnectInfo) => disconnects.push(d));
  conn.on('reconnecting', (r: ReconnectInfo) => dials.push(r));
  t.after(async () => {
    await conn.close();
    await a.destroy();
    await b.destroy();
  });
  await until(() => a.gateway.isConnected(TENANT), 'the EPOS on the first platform');
  assert.equal(b.gateway.isConnected(TENANT), false);

  const onA = Array.from({ length: 3 }, () => api(a.url, 'GET', '/epos/data/v1/areas', { key }));
  await until(() => conn.inFlight === 3, 'the calls to reach the handler');
  const drained = a.drain({ deadlineMs: 5000 });
  // Meanwhile the product's next call goes to the second node, and waits there for the EPOS.
  const onB = api(b.url, 'GET', '/epos/data/v1/areas', { key });

  for (const r of await Promise.all(onA)) assert.equal(r.status, 200, r.text);
  await drained;
  const second = await onB;
  assert.equal(second.status, 200, second.text);
  assert.deepEqual(second.body, AREAS);
  assert.equal(seen.answered, 4);
  assert.equal(disconnects[0]!.code, 1012);
  assert.equal(disconnects[0]!.willReconnect, true);
  assert.equal(dials[0]!.url, wsUrl(b));
  assert.ok(b.gateway.isConnected(TENANT));
  assert.ok(conn.connected);
});

test('an open event stream ends cleanly on a drain, with a comment naming PLATFORM_STOPPING', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  const stream = await sse(`${p.url}/epos/events/stream`, key);
  assert.equal(stream.res.status, 200);
  await p.drain({ deadlineMs: 2000 });
  await stream.done;
  assert.equal(stream.error, undefined, 'ended cleanly');
  assert.ok(stream.comments.some((c) => c.startsWith('PLATFORM_STOPPING platform shutting down; resume with Last-Event-ID')), stream.comments.join(' | '));
});

test('once drained the port is closed: an EPOS dial fails at once, with no HTTP answer', async (t) => {
  // Also guards the probe above: with its dial error swallowed, this test (and every other of the
  // file) was cancelled with "Promise resolution is still pending" instead of failing.
  const p = await testPlatform();
  t.after(() => p.destroy());
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  await p.drain({ deadlineMs: 2000 });
  await assert.rejects(refusedUpgrade(wsUrl(p), key), /the upgrade got no HTTP answer: connect ECONNREFUSED/);
});
