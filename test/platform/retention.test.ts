// Retention: pending events expire (visibly, status `expired`), and finished outbox rows, POS events
// and finished tester runs are pruned by age and by count per tenant, in chunks. Store-level tests
// run passes by hand with a clock we set; the platform test lets the timer do it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { Retention, type RetentionOptions } from '../../packages/eposgate/src/platform/retention.ts';
import { DEFAULT_LIMITS } from '../../packages/eposgate/src/platform/limits.ts';
import { SqliteStore } from '../../packages/eposgate/src/platform/store/sqlite/index.ts';
import type { OutboxEntry } from '../../packages/eposgate/src/platform/store/store.ts';
import type { Tenant } from '../../packages/eposgate/src/platform/tenant.ts';
import type { FlowStatus } from '../../packages/eposgate/src/platform/tester/types.ts';
import { api, tempDir } from '../helpers/platform.ts';
import { key, payment, platform, raise, registerWs, until } from './events/helpers.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const A: Tenant = { accountId: 'acct-a', env: 'sandbox' };
const B: Tenant = { accountId: 'acct-b', env: 'sandbox' };

function entry(tenant: Tenant, id: string, createdAt: number): Omit<OutboxEntry, 'seq'> {
  return {
    tenant,
    event: { id, accountId: tenant.accountId, event: 'payment_intent.created', data: payment(id), createdAt: new Date(createdAt).toISOString() },
    status: 'pending', attempts: 0, nextAttemptAt: createdAt, raisedBy: { keyId: 'key_1', softwareHouseId: 'sh' },
  };
}

interface Fixture {
  store: SqliteStore;
  clock: { now: number };
  retention(limits?: Partial<RetentionOptions['limits']>, more?: Partial<RetentionOptions>): Retention;
}

async function fixture(t: { after(fn: () => Promise<void>): void }): Promise<Fixture> {
  const dir = tempDir();
  const store = new SqliteStore(dir);
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = { now: T0 };
  return {
    store, clock,
    retention: (limits = {}, more = {}) => new Retention({
      store, limits: { ...DEFAULT_LIMITS, ...limits }, logger: pino({ level: 'silent' }), now: () => clock.now, chunk: 7, ...more,
    }),
  };
}

async function seqs(store: SqliteStore, tenant: Tenant): Promise<number[]> {
  return (await store.outbox.list(tenant, { limit: 1000 })).map((e) => e.seq);
}

test('pending events older than pendingEventTtlMs are marked expired with reason ttl, never dropped, and the head moves on', async (t) => {
  const { store, clock, retention } = await fixture(t);
  for (let i = 1; i <= 20; i += 1) await store.outbox.insert(entry(A, `a${i}`, T0 + i * MIN)); // a1..a20, a minute apart
  await store.outbox.insert(entry(B, 'b1', T0 + 30 * MIN));
  let kicked = 0;
  clock.now = T0 + 70 * MIN;
  const report = await retention({ pendingEventTtlMs: 60 * MIN }, { onExpired: () => { kicked += 1; } }).run();

  assert.equal(report.expired, 9, 'a1..a9 were raised more than an hour before');
  assert.equal(kicked, 1, 'the worker is told to look at the new heads');
  const all = await store.outbox.list(A, { limit: 100 });
  assert.equal(all.length, 20, 'nothing was deleted');
  const a1 = all[0]!;
  assert.equal(a1.status, 'expired');
  assert.equal(a1.reason, 'ttl');
  assert.equal(a1.lastError?.code, 'EVENT_EXPIRED');
  assert.match(a1.lastError?.message ?? '', /pendingEventTtlMs/);
  assert.deepEqual(all.filter((e) => e.status === 'pending').map((e) => e.event.id), Array.from({ length: 11 }, (_, i) => `a${i + 10}`));
  const heads = await store.outbox.dueHeads(Number.MAX_SAFE_INTEGER, 10);
  assert.deepEqual(heads.map((h) => h.event.id).sort(), ['a10', 'b1'], 'the head moved past the expired events');
  assert.equal((await store.outbox.get(B, 'b1'))?.status, 'pending', 'a younger event of another tenant stays pending');
});

test('a delivery that succeeds after its event expired records delivered; a retry of an expired event changes nothing', async (t) => {
  const { store, clock, retention } = await fixture(t);
  await store.outbox.insert(entry(A, 'a1', T0));
  await store.outbox.insert(entry(A, 'a2', T0));
  clock.now = T0 + 2 * MIN;
  assert.equal((await retention({ pendingEventTtlMs: MIN }).run()).expired, 2);
  assert.equal(await store.outbox.update(A, 'a1', { attempts: 3, nextAttemptAt: T0 + 5 * MIN }), false);
  const a1 = await store.outbox.get(A, 'a1');
  assert.equal(a1?.status, 'expired');
  assert.equal(a1?.attempts, 0);
  assert.equal(await store.outbox.update(A, 'a2', { status: 'delivered', reason: undefined, attempts: 1, deliveredAt: new Date(clock.now).toISOString() }), true);
  const a2 = await store.outbox.get(A, 'a2');
  assert.equal(a2?.status, 'delivered');
  assert.equal(a2?.reason, undefined);
  assert.deepEqual(await store.outbox.dueHeads(Number.MAX_SAFE_INTEGER, 10), [], 'delivering an expired event does not bring back a head');
});

test('finished outbox rows are pruned by age and by count per tenant, in chunks; pending rows are kept however old', async (t) => {
  const { store, clock, retention } = await fixture(t);
  const statuses = ['delivered', 'failed', 'skipped', 'expired'] as const;
  for (let i = 1; i <= 40; i += 1) {
    await store.outbox.insert(entry(A, `a${i}`, T0 + i * MIN));
    if (i !== 3) await store.outbox.update(A, `a${i}`, { status: statuses[i % 4]! }); // a3 stays pending
  }
  for (let i = 1; i <= 5; i += 1) {
    await store.outbox.insert(entry(B, `b${i}`, T0 + i * MIN));
    await store.outbox.update(B, `b${i}`, { status: 'delivered' });
  }
  clock.now = T0 + 20 * MIN + MIN / 2;
  const r = await retention({ outboxDoneMaxAgeMs: 10 * MIN, outboxDonePerTenant: 15, pendingEventTtlMs: 1e12 }).run();
  // By age: a1..a10 except the pending a3 (9 rows, two chunks of 7), and b1..b5.
  assert.equal(r.outboxByAge, 14);
  assert.equal(r.expired, 0);
  // By count: A's last seq is 40, so finished rows up to seq 25 go: a11..a25 (15 rows, three chunks).
  assert.equal(r.outboxByCount, 15);
  assert.deepEqual(await seqs(store, A), [3, ...Array.from({ length: 15 }, (_, i) => 26 + i)]);
  assert.equal((await store.outbox.get(A, 'a3'))?.status, 'pending');
  assert.deepEqual(await seqs(store, B), []);
  const again = await retention({ outboxDoneMaxAgeMs: 10 * MIN, outboxDonePerTenant: 15, pendingEventTtlMs: 1e12 }).run();
  assert.equal(again.outboxByAge + again.outboxByCount, 0, 'a second pass finds nothing more');
});

test('POS events are pruned by age and by count per tenant; cursors keep counting', async (t) => {
  const { store, clock, retention } = await fixture(t);
  const append = (tenant: Tenant, i: number) => store.eposEvents.append({
    tenant, eventType: 'OrderUpdated', event: { orderId: `o${i}` }, receivedAt: new Date(T0 + i * MIN).toISOString(), keyId: 'k', softwareHouseId: 'sh',
  });
  for (let i = 1; i <= 30; i += 1) await append(A, i);
  for (let i = 1; i <= 3; i += 1) await append(B, 100 + i);
  clock.now = T0 + 10 * MIN + 1;
  const r = await retention({ posEventMaxAgeMs: 5 * MIN, posEventsPerTenant: 12 }).run();
  assert.equal(r.posEventsByAge, 5, 'A: o1..o5 are older than five minutes; B is younger');
  assert.equal(r.posEventsByCount, 13, 'A keeps its last 12 (seq 19..30): 6..18 go');
  assert.deepEqual((await store.eposEvents.list(A, 0, 100)).map((e) => e.seq), Array.from({ length: 12 }, (_, i) => 19 + i));
  assert.equal((await store.eposEvents.list(B, 0, 100)).length, 3);
  assert.equal((await append(A, 31)).seq, 31);
});

test('finished tester runs are pruned by age and count per tenant; an IN_PROGRESS run is never touched', async (t) => {
  const { store, clock, retention } = await fixture(t);
  const run = async (tenant: Tenant, i: number, status: FlowStatus) => {
    const at = new Date(T0 + i * MIN).toISOString();
    await store.flows.insert({
      flowID: `${tenant.accountId}-f${i}`, flowName: 'Get order', status, startedAt: at, steps: [], tenant, flow: 'get-order', params: {},
      ...(status === 'IN_PROGRESS' ? {} : { finishedAt: at }),
    });
  };
  await run(A, 0, 'IN_PROGRESS'); // the oldest of all, still running
  for (let i = 1; i <= 20; i += 1) await run(A, i, i % 3 ? 'SUCCESS' : 'FAILURE');
  await run(B, 1, 'SUCCESS');
  await run(B, 30, 'TIMED_OUT');
  clock.now = T0 + 25 * MIN;
  const r = await retention({ flowRunMaxAgeMs: 20 * MIN, flowRunsPerTenant: 8 }).run();
  assert.equal(r.flowRunsByAge, 5, 'A: f1..f4 and B: f1 finished more than 20 minutes before');
  assert.equal(r.flowRunsByCount, 8, 'A keeps its newest 8 finished runs (f13..f20)');
  assert.ok(await store.flows.get(A, 'acct-a-f0'), 'the IN_PROGRESS run stays');
  for (let i = 1; i <= 12; i += 1) assert.equal(await store.flows.get(A, `acct-a-f${i}`), undefined, `f${i} pruned`);
  for (let i = 13; i <= 20; i += 1) assert.ok(await store.flows.get(A, `acct-a-f${i}`), `f${i} kept`);
  assert.ok(await store.flows.get(B, 'acct-b-f30'));
  assert.equal((await store.flows.inProgress()).length, 1);
});

test('the platform expires an undeliverable event on its own timer: GET shows status expired, and ?status=expired lists it', async (t) => {
  const p = await platform(t, { limits: { pendingEventTtlMs: 300, retentionIntervalMs: 50 } });
  const k = await key(p, 'acct-ttl');
  await registerWs(p, k); // registered, but no EPOS ever connects
  const res = await raise(p, k, { event: 'payment_intent.created', data: payment('pi_ttl'), id: 'ev-ttl' });
  assert.equal(res.status, 202);
  assert.equal(res.body.delivery.status, 'pending');
  const got = await until(async () => {
    const r = await api(p.url, 'GET', '/epos/data/v1/events/ev-ttl', { key: k });
    return r.body.delivery.status === 'expired' ? r.body : undefined;
  }, 5000);
  assert.equal(got.delivery.reason, 'ttl');
  assert.equal(got.delivery.lastError.code, 'EVENT_EXPIRED');
  const list = await api(p.url, 'GET', '/epos/data/v1/events?status=expired', { key: k });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.events.map((e: { id: string }) => e.id), ['ev-ttl']);
  const bad = await api(p.url, 'GET', '/epos/data/v1/events?status=lost', { key: k });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /expired/);
});

test('a large prune works in chunks and lets the event loop run between them', async (t) => {
  const { store, clock, retention } = await fixture(t);
  const at = new Date(T0).toISOString();
  store.db.transaction(() => {
    for (let i = 0; i < 3000; i += 1) {
      void store.eposEvents.append({ tenant: A, eventType: 'OrderUpdated', event: { orderId: `o${i}` }, receivedAt: at, keyId: 'k', softwareHouseId: 'sh' });
    }
  })();
  clock.now = T0 + 10 * MIN;
  let turns = 0;
  let spinning = true;
  const spin = () => { turns += 1; if (spinning) setImmediate(spin); };
  setImmediate(spin);
  const r = await retention({ posEventMaxAgeMs: MIN }, { chunk: 250 }).run();
  spinning = false;
  assert.equal(r.posEventsByAge, 3000);
  assert.deepEqual(await store.eposEvents.list(A, 0, 10), []);
  assert.ok(turns >= 12, `the event loop got ${turns} turns during 12 chunks`);
});

test('registration history is pruned by age and by count per tenant, in chunks; the newest rows stay', async (t) => {
  const { store, clock, retention } = await fixture(t);
  const ws = { transport: 'ws' as const, createdAt: new Date(T0).toISOString(), softwareHouseId: 'sh', capabilities: [] };
  const change = (tenant: Tenant, at: number) => ({
    tenant, at: new Date(at).toISOString(), transport: 'ws' as const, capabilities: ['GetOrderById'], added: [], dropped: [], softwareHouseId: 'sh', keyId: 'key_1',
  });
  for (let i = 1; i <= 20; i += 1) await store.integrations.put({ ...ws, tenant: A }, change(A, T0 + i * MIN));
  for (let i = 1; i <= 3; i += 1) await store.integrations.put({ ...ws, tenant: B }, change(B, T0 + (10 + i) * MIN));
  clock.now = T0 + 60 * MIN;
  const r = await retention({ registrationChangeMaxAgeMs: 55 * MIN, registrationChangesPerTenant: 10 }).run();
  assert.equal(r.changesByAge, 4, 'A’s first 4 are older than 55 minutes');
  assert.equal(r.changesByCount, 6, 'A keeps its newest 10 (chunks of 7)');
  const ids = async (tenant: Tenant) => (await store.integrations.history(tenant, { limit: 100 })).map((c) => c.seq);
  assert.deepEqual(await ids(A), [20, 19, 18, 17, 16, 15, 14, 13, 12, 11]);
  assert.deepEqual(await ids(B), [3, 2, 1], 'B has fewer than the cap, all young');
});
