// calls.db keeps the call log as one row per tenant per batch (store/sqlite/callBatch.ts). Checked
// here against a plain reference on a real file: pages over batches whose time spans overlap,
// retention that thins a batch, bodies sliced back exactly (astral characters and all), and the
// calls of the older table of one row per call carried over by the migration.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { newCallId } from '../../../packages/eposgate/src/platform/calllog/ids.ts';
import type { CallQuery, CallRecord, StoredCall } from '../../../packages/eposgate/src/platform/store/store.ts';
import { openDb } from '../../../packages/eposgate/src/platform/store/sqlite/db.ts';
import { SqliteStore } from '../../../packages/eposgate/src/platform/store/sqlite/index.ts';
import { CALL_LOG_MIGRATIONS } from '../../../packages/eposgate/src/platform/store/sqlite/migrations.ts';
import type { Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';
import { tempDir } from '../../helpers/platform.ts';

const A: Tenant = { accountId: 'acc-a', env: 'sandbox' };
const B: Tenant = { accountId: 'acc-b', env: 'sandbox' };
const T0 = Date.UTC(2026, 10, 28);
const CAPS = ['GetOrderById', 'SearchOrders', 'RecordOrderPaymentById'];

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 2 ** 32);
}

function call(t: Tenant, atMs: number, r: () => number): CallRecord {
  const error = r() < 0.3;
  const text = ['£12.50', 'emoji 🍔 and 𝄞', 'quote " and \\ back', '', 'x'.repeat(Math.floor(r() * 300))][Math.floor(r() * 5)]!;
  return {
    id: newCallId(atMs), tenant: t, atMs, capability: CAPS[Math.floor(r() * CAPS.length)]!, transport: r() < 0.5 ? 'ws' : 'rest',
    node: 'node-1', source: 'data-api', status: error ? 'error' : 'ok', ...(error ? { errorCode: r() < 0.5 ? 'EPOS_ERROR' : 'EPOS_TIMEOUT' } : {}),
    latencyMs: Math.round(r() * 10_000) / 100, requestor: { softwareHouseId: `sh-${text.slice(0, 8)}`, deviceId: 'tm_1' },
    request: JSON.stringify({ orderId: `o-${Math.floor(r() * 100)}`, note: text }), response: JSON.stringify({ name: text }), truncated: r() < 0.1,
  };
}

function open(t: { after(fn: () => unknown): void }, dir = tempDir('eposgate-call-batches-')): SqliteStore {
  const store = new SqliteStore(dir, { durability: 'normal' });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

/** What a page must hold: the reference's calls filtered and sorted newest first. */
function expected(all: StoredCall[], t: Tenant, q: CallQuery): StoredCall[] {
  return all.filter((c) => c.tenant.accountId === t.accountId
    && (q.capability === undefined || c.capability === q.capability)
    && (q.status === undefined || c.status === q.status)
    && (q.errorCode === undefined || c.errorCode === q.errorCode)
    && (q.from === undefined || c.atMs >= q.from) && (q.to === undefined || c.atMs <= q.to)
    && (!q.before || c.atMs < q.before.atMs || (c.atMs === q.before.atMs && c.seq < q.before.seq)))
    .sort((a, b) => b.atMs - a.atMs || b.seq - a.seq).slice(0, q.limit);
}

/** Every page of `q`, following the cursor, as the API walks them. */
async function walk(store: SqliteStore, t: Tenant, q: CallQuery): Promise<StoredCall[]> {
  const out: StoredCall[] = [];
  let before: CallQuery['before'];
  for (;;) {
    const page = await store.calls.list(t, { ...q, ...(before ? { before } : {}) });
    out.push(...page);
    if (page.length < q.limit) return out;
    before = { atMs: page.at(-1)!.atMs, seq: page.at(-1)!.seq };
  }
}

test('pages over batches whose time spans overlap match a plain filter and sort, filter by filter', async (t) => {
  const store = open(t);
  const r = rng(7);
  const all: StoredCall[] = [];
  const seqs = new Map<string, number>();
  // 40 flushes of 1–60 calls each; a call's time is when it began, so a batch holds calls up to
  // 50 ms older than its newest, and ties of the same millisecond are common.
  for (let f = 0; f < 40; f++) {
    const calls: CallRecord[] = [];
    for (let i = Math.floor(r() * 60) + 1; i > 0; i--) calls.push(call(r() < 0.8 ? A : B, T0 + f * 20 - Math.floor(r() * 50), r));
    await store.calls.insertMany(calls);
    for (const c of calls) {
      const seq = (seqs.get(c.tenant.accountId) ?? 0) + 1;
      seqs.set(c.tenant.accountId, seq);
      all.push({ ...c, seq });
    }
  }
  const queries: CallQuery[] = [
    { limit: 7 }, { limit: 1 }, { limit: 500 }, { capability: 'SearchOrders', limit: 5 }, { status: 'error', limit: 4 },
    { status: 'ok', limit: 9 }, { errorCode: 'EPOS_TIMEOUT', limit: 3 }, { from: T0 + 100, to: T0 + 400, limit: 6 },
    { capability: 'GetOrderById', status: 'ok', from: T0 + 200, limit: 11 },
  ];
  for (const tenant of [A, B]) {
    for (const q of queries) {
      const want = expected(all, tenant, { ...q, limit: Infinity });
      const got = await walk(store, tenant, q);
      assert.deepEqual(got.map((c) => [c.atMs, c.seq]), want.map((c) => [c.atMs, c.seq]), `${tenant.accountId} ${JSON.stringify(q)}`);
      assert.deepEqual(got, want, `${tenant.accountId} ${JSON.stringify(q)}: whole calls, bodies included`);
    }
  }
  const points = await store.calls.points(A, { from: T0 + 100, to: T0 + 600, capability: 'SearchOrders', limit: 13 });
  assert.deepEqual(points, expected(all, A, { from: T0 + 100, to: T0 + 600, capability: 'SearchOrders', limit: 13 })
    .map((c) => ({ atMs: c.atMs, capability: c.capability, status: c.status, latencyMs: c.latencyMs })));
  for (const c of all.filter((_, i) => i % 17 === 0)) assert.deepEqual(await store.calls.get(c.tenant, c.id), c);
});

test('retention thins a batch: the calls kept keep their seq, time and bodies; a batch left empty goes', async (t) => {
  const store = open(t);
  const r = rng(11);
  // One batch, its calls' times out of order, around the cutoff.
  const ats = [50, 10, 70, 20, 90, 30, 5, 60];
  const calls = ats.map((at) => call(A, T0 + at, r));
  await store.calls.insertMany(calls);
  const stored = calls.map((c, i) => ({ ...c, seq: i + 1 }));
  assert.equal(await store.calls.pruneOlder(T0 + 40, 2), 2, 'the limit counts calls');
  assert.equal(await store.calls.pruneOlder(T0 + 40, 10), 2, 'the other two of the four older calls');
  let left = stored.filter((c) => c.atMs >= T0 + 40);
  assert.deepEqual(await walk(store, A, { limit: 3 }), expected(left, A, { limit: Infinity }));
  for (const c of left) assert.deepEqual(await store.calls.get(A, c.id), c);
  for (const c of stored.filter((x) => x.atMs < T0 + 40)) assert.equal(await store.calls.get(A, c.id), undefined);
  // By count: the tenant's last seq is 8, so keeping 2 leaves seqs 7 and 8, and 7 went by age.
  assert.equal(await store.calls.pruneBeyond(2, 1), 1);
  assert.equal(await store.calls.pruneBeyond(2, 10), 2);
  left = left.filter((c) => c.seq > 6);
  assert.deepEqual(left.map((c) => c.seq), [8]);
  assert.deepEqual(await walk(store, A, { limit: 10 }), expected(left, A, { limit: Infinity }));
  assert.equal(await store.calls.pruneOlder(T0 + 1_000, 10), 1);
  assert.deepEqual(await store.calls.list(A, { limit: 10 }), []);
  assert.equal((store.callsDb.prepare('SELECT count(*) AS n FROM call_batches').get() as { n: number }).n, 0, 'the emptied batch row is gone');
  await store.calls.insertMany([call(A, T0 + 2_000, r)]);
  assert.equal((await store.calls.list(A, { limit: 1 }))[0]!.seq, 9, 'seqs never come back');
});

test('retention deletes a batch wholly due in one go, past the limit: only a batch partly due is thinned to it', async (t) => {
  const store = open(t);
  const r = rng(12);
  const old = Array.from({ length: 8 }, (_, i) => call(A, T0 + i, r));
  const young = Array.from({ length: 4 }, (_, i) => call(A, T0 + 100 + i, r));
  await store.calls.insertMany(old);
  await store.calls.insertMany(young);
  const rows = () => (store.callsDb.prepare('SELECT count(*) AS n FROM call_batches').get() as { n: number }).n;
  assert.equal(rows(), 2);
  // A chunk of 3 takes the first batch whole (8 calls); the second, not due, stays untouched.
  assert.equal(await store.calls.pruneOlder(T0 + 50, 3), 8, 'a whole batch is not rewritten to fit the chunk');
  assert.equal(rows(), 1, 'its row is deleted, not thinned');
  assert.equal(await store.calls.pruneOlder(T0 + 50, 3), 0);
  // By count: keeping 1 leaves seq 12; the batch is only partly due, so the chunk bounds it.
  assert.equal(await store.calls.pruneBeyond(1, 2), 2);
  assert.equal(await store.calls.pruneBeyond(1, 2), 1);
  assert.deepEqual((await store.calls.list(A, { limit: 10 })).map((c) => c.seq), [12]);
});

test('the calls of the table of one row per call are carried over by the migration, each with its seq and bodies', async (t) => {
  const dir = tempDir('eposgate-call-batches-migrate-');
  const r = rng(3);
  const old = openDb(join(dir, 'calls.db'), CALL_LOG_MIGRATIONS.slice(0, 1), 'normal');
  const insert = old.prepare(`INSERT INTO calls (account_id, env, seq, id, at_ms, capability, transport, node, source, status, error_code,
    latency_ms, requestor, request, response, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const before: StoredCall[] = [];
  for (let seq = 1; seq <= 230; seq++) {
    const c = { ...call(seq % 3 ? A : B, T0 + seq, r), seq };
    insert.run(c.tenant.accountId, c.tenant.env, c.seq, c.id, c.atMs, c.capability, c.transport, c.node, c.source, c.status,
      c.errorCode ?? null, c.latencyMs, JSON.stringify(c.requestor), c.request, c.response, c.truncated ? 1 : 0);
    before.push(c);
  }
  old.prepare("INSERT INTO call_seqs (account_id, env, last) VALUES (?, 'sandbox', 230), (?, 'sandbox', 230)").run(A.accountId, B.accountId);
  old.close();
  const store = open(t, dir);
  for (const tenant of [A, B]) {
    assert.deepEqual(await walk(store, tenant, { limit: 50 }), expected(before, tenant, { limit: Infinity }), tenant.accountId);
  }
  const some = before[100]!;
  assert.deepEqual(await store.calls.get(some.tenant, some.id), some);
  assert.equal(await store.calls.pruneOlder(T0 + 50, 1_000), 49, 'retention thins carried-over batches too');
  assert.deepEqual(await walk(store, A, { limit: 50 }), expected(before.filter((c) => c.atMs >= T0 + 50), A, { limit: Infinity }));
});

test('a batch row holds at most 200 calls, whatever one insert passes', async (t) => {
  const store = open(t);
  const r = rng(5);
  const calls = Array.from({ length: 450 }, (_, i) => call(A, T0 + i, r));
  await store.calls.insertMany(calls);
  const rows = store.callsDb.prepare('SELECT first_seq, last_seq, n FROM call_batches ORDER BY first_seq').all();
  assert.deepEqual(rows, [{ first_seq: 1, last_seq: 200, n: 200 }, { first_seq: 201, last_seq: 400, n: 200 }, { first_seq: 401, last_seq: 450, n: 50 }]);
  assert.deepEqual((await walk(store, A, { limit: 100 })).map((c) => c.seq), Array.from({ length: 450 }, (_, i) => 450 - i));
});

test('a body cut inside a surrogate pair keeps U+FFFD in its place, and the calls after it in the batch keep their bodies (SQLite would give the lone surrogate back as three characters)', async (t) => {
  const store = open(t);
  const r = rng(9);
  const cut = { ...call(A, T0 + 1, r), response: `{"name":"🍔🍔🍔`.slice(0, 10) + '…', truncated: true };
  assert.equal(cut.response.charCodeAt(9) >= 0xd800 && cut.response.charCodeAt(9) <= 0xdbff, true, 'a lone high surrogate before the "…"');
  const next = call(A, T0 + 2, r);
  await store.calls.insertMany([cut, next]);
  const [b, a] = await store.calls.list(A, { limit: 2 });
  assert.equal(a!.response, `${cut.response.slice(0, 9)}\ufffd…`);
  assert.deepEqual(b, { ...next, seq: 2 });
});

test('insertRaw: the writer thread redacts raw answers that hold a secret, and only those', async (t) => {
  const store = open(t);
  const r = rng(11);
  const base = { ...call(A, T0, r), status: 'ok' as const, truncated: false };
  delete (base as Partial<CallRecord>).errorCode;
  const secret = JSON.stringify({ id: 'o-1', payment: { cardNumber: '4111111111111111', Token: 'tok_live_1' }, note: 'fine' });
  const clean = JSON.stringify({ id: 'o-2', note: 'é 🍔 "quoted"' });
  // Redacted, it is longer than the cap: cut, and the call marked truncated.
  const grows = JSON.stringify({ pin: 1, note: 'y'.repeat(80) });
  const finished = '{"already":"kept as given, password and all"}';
  await store.calls.insertRaw!([
    { ...base, id: newCallId(T0), atMs: T0, response: secret, rawResponse: true },
    { ...base, id: newCallId(T0 + 1), atMs: T0 + 1, response: clean, rawResponse: true },
    { ...base, id: newCallId(T0 + 2), atMs: T0 + 2, response: grows, rawResponse: true },
    { ...base, id: newCallId(T0 + 3), atMs: T0 + 3, response: finished, rawResponse: false },
    { ...base, id: newCallId(T0 + 4), atMs: T0 + 4, tenant: B, response: secret, rawResponse: true },
  ], 100);
  const [fin, cut, cln, red] = await store.calls.list(A, { limit: 10 });
  assert.deepEqual(JSON.parse(red!.response), { id: 'o-1', payment: { cardNumber: '[redacted]', Token: '[redacted]' }, note: 'fine' });
  assert.equal(red!.truncated, false);
  assert.equal(cln!.response, clean, 'bodies after a redacted one are sliced at their new places');
  assert.ok(cut!.response.startsWith('{"pin":"[redacted]","note":"yyy') && cut!.response.endsWith('…'), cut!.response);
  assert.equal(cut!.truncated, true);
  assert.equal(fin!.response, finished, 'a finished response is kept as given');
  const [other] = await store.calls.list(B, { limit: 10 });
  assert.doesNotMatch(other!.response, /4111|tok_live/, 'each tenant\'s batch redacted alike');
  assert.deepEqual(other!.requestor, base.requestor);
  // insertMany takes every response as finished, whatever a call says of it.
  await store.calls.insertMany([{ ...base, id: newCallId(T0 + 5), atMs: T0 + 5, response: secret, rawResponse: true } as CallRecord]);
  assert.equal((await store.calls.list(A, { limit: 1 }))[0]!.response, secret);
});
