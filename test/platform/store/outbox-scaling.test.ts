// The outbox at scale: each tenant's head (its oldest pending event) is kept in a table of its own,
// so finding due work does not scan the pending rows. These tests hold the heads against a plain
// recomputation through thousands of rows and every kind of write, and check the query plans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../../packages/eposgate/src/platform/store/sqlite/index.ts';
import { openDb } from '../../../packages/eposgate/src/platform/store/sqlite/db.ts';
import { MIGRATIONS } from '../../../packages/eposgate/src/platform/store/sqlite/migrations.ts';
import type { OutboxEntry } from '../../../packages/eposgate/src/platform/store/store.ts';
import type { Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';
import { tempDir } from '../../helpers/platform.ts';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');

function entry(tenant: Tenant, id: string, nextAttemptAt: number, createdAt = T0): Omit<OutboxEntry, 'seq'> {
  return {
    tenant,
    event: { id, accountId: tenant.accountId, event: 'payment_intent.created', data: { paymentIntentId: id }, createdAt: new Date(createdAt).toISOString() },
    status: 'pending', attempts: 0, nextAttemptAt, raisedBy: { keyId: 'key_1', softwareHouseId: 'sh' },
  };
}

/** A small deterministic PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The heads recomputed the slow, obvious way: each tenant's lowest pending seq. */
function naiveHeads(store: SqliteStore): Map<string, { seq: number; next: number }> {
  const rows = store.db.prepare(`SELECT o.account_id, o.env, o.seq, o.next_attempt_at FROM event_outbox o
    WHERE o.status = 'pending' AND o.seq = (SELECT MIN(i.seq) FROM event_outbox i
      WHERE i.account_id = o.account_id AND i.env = o.env AND i.status = 'pending')`).all() as
    { account_id: string; env: string; seq: number; next_attempt_at: number }[];
  return new Map(rows.map((r) => [`${r.account_id}/${r.env}`, { seq: r.seq, next: r.next_attempt_at }]));
}

async function assertHeadsRight(store: SqliteStore, at: number, label: string): Promise<void> {
  const want = naiveHeads(store);
  const due = await store.outbox.dueHeads(Number.MAX_SAFE_INTEGER, 1_000_000);
  const got = new Map(due.map((e) => [`${e.tenant.accountId}/${e.tenant.env}`, { seq: e.seq, next: e.nextAttemptAt }]));
  assert.deepEqual(got, want, `${label}: every tenant with pending events has its oldest pending one as head`);
  assert.ok(due.every((e) => e.status === 'pending'), `${label}: heads are pending`);
  for (let i = 1; i < due.length; i += 1) assert.ok(due[i - 1]!.nextAttemptAt <= due[i]!.nextAttemptAt, `${label}: dueHeads ordered by due time`);
  const dueNow = await store.outbox.dueHeads(at, 1_000_000);
  assert.deepEqual(dueNow.map((e) => `${e.tenant.accountId}/${e.seq}`).sort(),
    [...want].filter(([, h]) => h.next <= at).map(([k, h]) => `${k.split('/')[0]}/${h.seq}`).sort(), `${label}: due at ${at}`);
  const later = [...want.values()].map((h) => h.next).filter((n) => n > at);
  assert.equal(await store.outbox.nextDueAt(at), later.length ? Math.min(...later) : undefined, `${label}: nextDueAt`);
}

test('heads stay each tenant’s oldest pending event through thousands of raises, deliveries, failures, requeues, expiries and reconnects', async () => {
  const dir = tempDir();
  const store = new SqliteStore(dir);
  try {
    const rnd = prng(42);
    const tenants: Tenant[] = Array.from({ length: 60 }, (_, i) => ({ accountId: `acct-${i}`, env: i % 5 === 0 ? 'production' : 'sandbox' }));
    const pick = () => tenants[Math.floor(rnd() * tenants.length)]!;
    let n = 0;
    for (let i = 0; i < 4000; i += 1) {
      await store.outbox.insert(entry(pick(), `ev-${(n += 1)}`, T0 + Math.floor(rnd() * 100_000), T0 + i));
    }
    await assertHeadsRight(store, T0 + 50_000, 'after inserts');

    for (let round = 0; round < 6; round += 1) {
      const now = T0 + 50_000 + round * 10_000;
      for (const head of await store.outbox.dueHeads(Number.MAX_SAFE_INTEGER, 1000)) {
        const roll = rnd();
        const { tenant } = head;
        const id = head.event.id;
        if (roll < 0.3) await store.outbox.update(tenant, id, { status: 'delivered', attempts: 1, deliveredAt: new Date(now).toISOString() });
        else if (roll < 0.4) await store.outbox.update(tenant, id, { status: 'failed', reason: 'max-attempts', attempts: 20 });
        else if (roll < 0.45) await store.outbox.update(tenant, id, { status: 'skipped', reason: 'not-registered' });
        else if (roll < 0.7) await store.outbox.update(tenant, id, { attempts: 1, nextAttemptAt: now + Math.floor(rnd() * 50_000) }); // retry later
        else if (roll < 0.8) await store.outbox.update(tenant, id, { nextAttemptAt: now }); // requeue
        else if (roll < 0.9) await store.outbox.makeDue(tenant, now); // the EPOS reconnected
        else await store.outbox.insert(entry(tenant, `ev-${(n += 1)}`, now + 1000, now)); // a new raise behind the head
      }
      // Also a row behind the head changes (makeDue of a tenant whose head is leased far ahead).
      const t = pick();
      const [h] = await store.outbox.list(t, { status: 'pending', limit: 1 });
      if (h) await store.outbox.update(t, h.event.id, { nextAttemptAt: now + 1_000_000 });
      await store.outbox.makeDue(pick(), now);
      await assertHeadsRight(store, now, `round ${round}`);
    }

    // Expiry moves the head past the expired rows, and the last pending row leaving drops the head.
    const expired = await store.outbox.expirePending(T0 + 2000, { code: 'EVENT_EXPIRED', message: 'ttl', at: 'x' }, 100_000);
    assert.ok(expired > 0, 'some rows were old enough to expire');
    await assertHeadsRight(store, T0 + 200_000, 'after expiry');
    const expiredAll = await store.outbox.expirePending(Number.MAX_SAFE_INTEGER, { code: 'EVENT_EXPIRED', message: 'ttl', at: 'x' }, 100_000);
    assert.ok(expiredAll > 0);
    assert.deepEqual(await store.outbox.dueHeads(Number.MAX_SAFE_INTEGER, 10), [], 'no pending rows: no heads');
    assert.equal(await store.outbox.nextDueAt(0), undefined);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the outbox queries search indexes and never scan the outbox, whatever it holds', () => {
  const dir = tempDir();
  const store = new SqliteStore(dir);
  try {
    // The statements as the store prepared them (its private table of queries).
    const q = (store.outbox as unknown as { q: Record<string, { source: string }> }).q;
    const e = (store.eposEvents as unknown as { q: Record<string, { source: string }> }).q;
    const queries = { ...q, ...Object.fromEntries(Object.entries(e).map(([k, v]) => [`epos.${k}`, v])) };
    let checked = 0;
    for (const [name, stmt] of Object.entries(queries)) {
      const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...placeholders(stmt.source)) as { detail: string }[];
      const scans = plan.map((p) => p.detail).filter((d) => d.startsWith('SCAN'));
      assert.deepEqual(scans, [], `${name} scans a table: ${plan.map((p) => p.detail).join(' | ')}`);
      checked += 1;
    }
    assert.ok(checked >= 14, `looked at ${checked} statements`);
  } finally {
    void store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Dummy values for a statement's parameters (EXPLAIN needs them bound). */
function placeholders(sql: string): unknown[] | [Record<string, unknown>] {
  const named = [...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!);
  if (named.length) return [Object.fromEntries(named.map((k) => [k, 1]))];
  return Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1);
}

test('a pruned tenant keeps counting: seqs are never handed out twice', async () => {
  const dir = tempDir();
  const store = new SqliteStore(dir);
  const t: Tenant = { accountId: 'acct-seq', env: 'sandbox' };
  try {
    for (let i = 1; i <= 3; i += 1) {
      const { entry: e } = await store.outbox.insert(entry(t, `e${i}`, T0));
      await store.outbox.update(t, e.event.id, { status: 'delivered' });
    }
    for (let i = 1; i <= 3; i += 1) {
      await store.eposEvents.append({ tenant: t, eventType: 'OrderUpdated', event: { orderId: `o${i}` }, receivedAt: new Date(T0).toISOString(), keyId: 'k', softwareHouseId: 'sh' });
    }
    assert.equal(await store.outbox.pruneDone(T0 + 1, 100), 3);
    assert.equal(await store.eposEvents.pruneOlder(T0 + 1, 100), 3);
    assert.equal((await store.outbox.insert(entry(t, 'e4', T0))).entry.seq, 4);
    assert.equal((await store.eposEvents.append({ tenant: t, eventType: 'OrderUpdated', event: { orderId: 'o4' }, receivedAt: new Date(T0).toISOString(), keyId: 'k', softwareHouseId: 'sh' })).seq, 4);
    assert.deepEqual((await store.eposEvents.list(t, 0, 10)).map((r) => r.seq), [4]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database from before the head table is migrated: heads, ages and seqs carry over', async () => {
  const dir = tempDir();
  const file = join(dir, 'platform.db');
  const before = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === 'events-001-outbox-epos-events') + 1);
  const old = openDb(file, before);
  const ins = old.prepare(`INSERT INTO event_outbox (account_id, env, seq, id, type, payload, status, attempts, next_attempt_at, key_id, software_house_id)
    VALUES (?, 'sandbox', ?, ?, 'payment_intent.created', ?, ?, 0, ?, 'k', 'sh')`);
  const payload = (id: string, ms: number) => JSON.stringify({ id, accountId: 'a', event: 'payment_intent.created', data: {}, createdAt: new Date(ms).toISOString() });
  ins.run('a', 1, 'a1', payload('a1', T0), 'delivered', T0);
  ins.run('a', 2, 'a2', payload('a2', T0 + 1234), 'pending', T0 + 50);
  ins.run('a', 3, 'a3', payload('a3', T0 + 2000), 'pending', T0 + 10);
  ins.run('b', 1, 'b1', payload('b1', T0), 'failed', T0);
  old.prepare(`INSERT INTO epos_events (account_id, env, seq, event_type, event, received_at, key_id, software_house_id)
    VALUES ('a', 'sandbox', 7, 'OrderUpdated', '{"orderId":"o"}', ?, 'k', 'sh')`).run(new Date(T0).toISOString());
  old.close();

  const store = new SqliteStore(dir);
  try {
    const heads = await store.outbox.dueHeads(Number.MAX_SAFE_INTEGER, 10);
    assert.deepEqual(heads.map((h) => [h.tenant.accountId, h.seq, h.nextAttemptAt]), [['a', 2, T0 + 50]]);
    assert.equal((store.db.prepare("SELECT created_at FROM event_outbox WHERE id = 'a2'").get() as { created_at: number }).created_at, T0 + 1234);
    const t: Tenant = { accountId: 'a', env: 'sandbox' };
    assert.equal((await store.outbox.insert(entry(t, 'a4', T0))).entry.seq, 4);
    assert.equal((await store.outbox.insert(entry({ accountId: 'b', env: 'sandbox' }, 'b2', T0))).entry.seq, 2);
    assert.equal((await store.eposEvents.append({ tenant: t, eventType: 'OrderUpdated', event: { orderId: 'p' }, receivedAt: new Date(T0).toISOString(), keyId: 'k', softwareHouseId: 'sh' })).seq, 8);
    await assert.rejects(async () => store.db.prepare("UPDATE event_outbox SET status = 'lost' WHERE id = 'a2'").run(), /CHECK/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
