// One test suite every Store implementation passes (SQLite: store-sqlite.test.ts, PostgreSQL:
// store-postgres.test.ts). It covers each sub-store method, and the races nodes run into: two
// stores (two pools) claiming the outbox at once, seq numbers allocated concurrently, and, where
// the store is shared by processes, migrations started together.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiKeyRecord, CallRecord, OutboxEntry, RegistrationChange, Store, StoredIntegration } from '../../../packages/eposgate/src/platform/store/store.ts';
import type { StoredFlow } from '../../../packages/eposgate/src/platform/tester/types.ts';
import { newCallId } from '../../../packages/eposgate/src/platform/calllog/ids.ts';
import { tenantKey, type Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';

export interface StoreHarness {
  /** A store on a fresh, empty database. */
  open(): Promise<Store>;
  /** Another store on the database of `s`, with its own connections (another node); absent for a single-process store. */
  peer?(s: Store): Promise<Store>;
  /** `n` stores opened at once on one fresh database: their migrations race. */
  openMany?(n: number): Promise<Store[]>;
  /** Drops what the harness made. */
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const A: Tenant = { accountId: 'acc-a', env: 'sandbox' };
const B: Tenant = { accountId: 'acc-b', env: 'sandbox' };
const A_PROD: Tenant = { accountId: 'acc-a', env: 'production' };

function entry(tenant: Tenant, id: string, nextAttemptAt = T0, createdAt = T0): Omit<OutboxEntry, 'seq'> {
  return {
    tenant,
    event: { id, accountId: tenant.accountId, event: 'payment_intent.created', data: { paymentIntentId: id }, createdAt: new Date(createdAt).toISOString() },
    status: 'pending', attempts: 0, nextAttemptAt, raisedBy: { keyId: 'key_1', softwareHouseId: 'sh', resellerId: 'rs' },
  };
}

function flow(tenant: Tenant, id: string, o: Partial<StoredFlow> = {}): StoredFlow {
  return {
    flowID: id, flowName: 'Get Order', status: 'IN_PROGRESS', startedAt: new Date(T0).toISOString(), steps: [],
    tenant, flow: 'Get Order', params: { orderId: 'ord_1' }, ...o,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

const callIds = new Map<string, string>();
/** The id of the call named `name`: minted once, carrying its time (the store finds a call by it). */
function cid(name: string, atMs: number): string {
  let id = callIds.get(name);
  if (!id) callIds.set(name, id = newCallId(atMs));
  return id;
}
const callName = (id: string) => [...callIds].find(([, v]) => v === id)?.[0] ?? id;

function call(tenant: Tenant, name: string, atMs: number, o: Partial<CallRecord> = {}): CallRecord {
  return {
    id: cid(name, atMs), tenant, atMs, capability: 'GetOrderById', transport: 'ws', node: 'n1', source: 'data-api', status: 'ok', latencyMs: 1.5,
    requestor: { softwareHouseId: 'sh' }, request: '{"orderId":"o1"}', response: '{"id":"o1"}', truncated: false, ...o,
  };
}

export function storeSuite(name: string, h: StoreHarness): void {
  describe(`store suite: ${name}`, () => {
    after(() => h.cleanup());
    const stores: Store[] = [];
    after(async () => { for (const s of stores) await s.close(); });
    const open = async () => { const s = await h.open(); stores.push(s); return s; };

    test('keys: insert, find by hash, list all or by account, revoke once, revocations since a time', async () => {
      const s = await open();
      const k1: ApiKeyRecord = { id: 'key_1', accountId: 'acc-a', env: 'sandbox', hash: 'h1', hint: 'eg_sb_1', label: 'till', createdAt: iso(T0) };
      const k2: ApiKeyRecord = { id: 'key_2', accountId: 'acc-b', env: 'production', hash: 'h2', hint: 'eg_pr_2', createdAt: iso(T0 + 1) };
      await s.keys.insert(k1);
      await s.keys.insert(k2);
      await assert.rejects(s.keys.insert({ ...k2, id: 'key_3' }), 'a hash is unique');
      assert.deepEqual(await s.keys.findByHash('h1'), k1);
      assert.equal(await s.keys.findByHash('nope'), undefined);
      assert.deepEqual((await s.keys.list()).map((k) => k.id), ['key_1', 'key_2']);
      assert.deepEqual(await s.keys.list({ accountId: 'acc-b' }), [k2]);
      assert.equal(await s.keys.revoke('key_2', iso(T0 + 10)), true);
      assert.equal(await s.keys.revoke('key_2', iso(T0 + 20)), false, 'already revoked');
      assert.equal(await s.keys.revoke('key_9', iso(T0 + 20)), false, 'no such key');
      assert.equal((await s.keys.findByHash('h2'))?.revokedAt, iso(T0 + 10));
      assert.deepEqual(await s.keys.revokedSince(iso(T0 + 5)), [{ id: 'key_2', revokedAt: iso(T0 + 10) }]);
      assert.deepEqual(await s.keys.revokedSince(iso(T0 + 11)), []);
    });

    test('tenants: one row per account and env with its live keys, in byte order, searched case-insensitively, paged by keyset', async () => {
      const s = await open();
      const key = (id: string, accountId: string, env: Tenant['env']): ApiKeyRecord => ({ id, accountId, env, hash: `h-${id}`, hint: 'sk_x…', createdAt: iso(T0) });
      // Upper case sorts before lower case in byte order (as SQLite and PostgreSQL's "C" collation agree).
      for (const k of [key('k1', 'beta', 'sandbox'), key('k2', 'beta', 'sandbox'), key('k3', 'beta', 'production'),
        key('k4', 'Alpha_1', 'sandbox'), key('k5', 'alpha%2', 'production'), key('k6', 'gamma', 'sandbox')]) await s.keys.insert(k);
      await s.keys.revoke('k3', iso(T0 + 1));
      const all = await s.keys.tenants({ limit: 10 });
      assert.deepEqual(all, [
        { accountId: 'Alpha_1', env: 'sandbox', keys: 1 },
        { accountId: 'alpha%2', env: 'production', keys: 1 },
        { accountId: 'beta', env: 'production', keys: 0 },
        { accountId: 'beta', env: 'sandbox', keys: 2 },
        { accountId: 'gamma', env: 'sandbox', keys: 1 },
      ]);
      assert.deepEqual(await s.keys.tenants({ limit: 2, after: { accountId: 'alpha%2', env: 'production' } }), all.slice(2, 4), 'keyset paging');
      assert.deepEqual(await s.keys.tenants({ limit: 10, after: { accountId: 'beta', env: 'production' } }), all.slice(3), 'paging within one account');
      assert.deepEqual((await s.keys.tenants({ limit: 10, search: 'ALPHA' })).map((t) => t.accountId), ['Alpha_1', 'alpha%2'], 'case-insensitive');
      assert.deepEqual((await s.keys.tenants({ limit: 10, search: '_' })).map((t) => t.accountId), ['Alpha_1'], '_ is literal');
      assert.deepEqual((await s.keys.tenants({ limit: 10, search: '%' })).map((t) => t.accountId), ['alpha%2'], '% is literal');
      assert.deepEqual(await s.keys.tenants({ limit: 10, search: 'zzz' }), []);
      assert.equal(await s.keys.tenantExists({ accountId: 'beta', env: 'production' }), true, 'a tenant whose keys are all revoked still exists');
      assert.equal(await s.keys.tenantExists({ accountId: 'gamma', env: 'production' }), false);
      assert.equal(await s.keys.tenantExists({ accountId: 'Gamma', env: 'sandbox' }), false, 'account ids are case-sensitive');
    });

    test('integrations of a page of tenants come in one query, never another env of the same account', async () => {
      const s = await open();
      const at = (tenant: Tenant, transport: 'ws' | 'rest'): StoredIntegration => ({
        tenant, transport, createdAt: iso(T0), softwareHouseId: 'sh', capabilities: [{ name: 'GetOrderById', version: '1', updatedAt: iso(T0) }],
        ...(transport === 'rest' ? { rest: { url: 'https://e.example', baseUrl: 'https://e.example', username: 'u', passwordEnc: 'x' } } : {}),
      });
      await s.integrations.put(at(A, 'ws'));
      await s.integrations.put(at(A, 'rest'));
      await s.integrations.put(at(A_PROD, 'ws'));
      await s.integrations.put(at(B, 'ws'));
      const got = await s.integrations.ofTenants([A, { accountId: 'nobody', env: 'sandbox' }]);
      assert.deepEqual(got.map((i) => `${i.tenant.accountId}:${i.tenant.env}:${i.transport}`).sort(), ['acc-a:sandbox:rest', 'acc-a:sandbox:ws']);
      assert.deepEqual(await s.integrations.ofTenants([]), []);
    });

    test('capabilityNames: each name any tenant registered, once, from at most the given number of distinct lists', async () => {
      const s = await open();
      assert.deepEqual(await s.integrations.capabilityNames(10), []);
      const at = (tenant: Tenant, transport: 'ws' | 'rest', names: string[]): StoredIntegration => ({
        tenant, transport, createdAt: iso(T0), softwareHouseId: 'sh', capabilities: names.map((name) => ({ name, version: '1', updatedAt: iso(T0) })),
        ...(transport === 'rest' ? { rest: { url: 'https://e.example', baseUrl: 'https://e.example', username: 'u', passwordEnc: 'x' } } : {}),
      });
      await s.integrations.put(at(A, 'ws', ['GetOrderById', 'SearchOrders']));
      await s.integrations.put(at(A, 'rest', ['RecordOrderPaymentById']));
      await s.integrations.put(at(A_PROD, 'ws', ['GetOrderById', 'SearchOrders']));
      await s.integrations.put(at(B, 'ws', ['SearchOrders', 'GetTables']));
      assert.deepEqual((await s.integrations.capabilityNames(10)).sort(), ['GetOrderById', 'GetTables', 'RecordOrderPaymentById', 'SearchOrders']);
      const one = await s.integrations.capabilityNames(1);
      assert.ok(one.length >= 1 && one.length <= 2, `one list's names only: ${one.join(', ')}`);
    });

    test('outbox counts pending and failed entries over all tenants; ping answers while open and rejects once closed', async () => {
      const s = await open();
      assert.deepEqual(await s.outbox.countByStatus(), { pending: 0, failed: 0 });
      await s.outbox.insert(entry(A, 'e1'));
      await s.outbox.insert(entry(A, 'e2'));
      await s.outbox.insert(entry(B, 'e3'));
      await s.outbox.update(B, 'e3', { status: 'failed', reason: 'max-attempts' });
      await s.outbox.update(A, 'e2', { status: 'delivered', deliveredAt: iso(T0) });
      assert.deepEqual(await s.outbox.countByStatus(), { pending: 1, failed: 1 });
      await s.ping();
      const other = await h.open();
      await other.close();
      await assert.rejects(other.ping(), 'a closed store does not answer');
    });

    test('integrations: put replaces the whole row, get per transport, delete', async () => {
      const s = await open();
      const ws: StoredIntegration = {
        tenant: A, transport: 'ws', createdAt: iso(T0), softwareHouseId: 'sh', resellerId: 'rs',
        capabilities: [{ name: 'GetOrderById', version: '1', updatedAt: iso(T0) }],
      };
      const rest: StoredIntegration = {
        tenant: A, transport: 'rest', createdAt: iso(T0), softwareHouseId: 'sh', capabilities: [],
        rest: { url: 'https://epos.example/api', baseUrl: 'https://epos.example/api', username: 'u', passwordEnc: 'v1.x.y.z' },
      };
      await s.integrations.put(ws);
      await s.integrations.put(rest);
      assert.deepEqual(await s.integrations.get(A, 'ws'), ws);
      assert.deepEqual(await s.integrations.get(A, 'rest'), rest);
      assert.equal(await s.integrations.get(A_PROD, 'ws'), undefined, 'another env is another tenant');
      const { resellerId: _r, ...noReseller } = ws;
      const replaced = { ...noReseller, capabilities: [], createdAt: iso(T0 + 5) };
      await s.integrations.put(replaced);
      assert.deepEqual(await s.integrations.get(A, 'ws'), replaced, 'no field of the old row survives');
      await s.integrations.delete(A, 'ws');
      assert.equal(await s.integrations.get(A, 'ws'), undefined);
      assert.deepEqual(await s.integrations.get(A, 'rest'), rest);
    });

    test('registration history: put and delete append a row in the same write, numbered per tenant, newest first; retention by age and count', async () => {
      const s = await open();
      const ws: StoredIntegration = {
        tenant: A, transport: 'ws', createdAt: iso(T0), softwareHouseId: 'sh',
        capabilities: [{ name: 'GetOrderById', version: 'v1', updatedAt: iso(T0) }],
      };
      const change = (t: Tenant, at: number, o: Partial<RegistrationChange> = {}): Omit<RegistrationChange, 'seq'> => ({
        tenant: t, at: iso(at), transport: 'ws', capabilities: ['GetOrderById'], added: ['GetOrderById'], dropped: [],
        softwareHouseId: 'sh', keyId: 'key_1', keyHint: 'sk_sandbox_ab', ...o,
      });
      assert.equal(await s.integrations.put(ws), undefined, 'no change given: no row');
      assert.deepEqual(await s.integrations.history(A, { limit: 10 }), []);
      assert.equal(await s.integrations.put(ws, change(A, T0)), 1);
      const rest: StoredIntegration = {
        tenant: A, transport: 'rest', createdAt: iso(T0), softwareHouseId: 'sh', resellerId: 'rs',
        capabilities: [{ name: 'SearchOrders', version: 'v1', updatedAt: iso(T0) }],
        rest: { url: 'https://epos.example/api', baseUrl: 'https://epos.example/api', username: 'u', passwordEnc: 'v1.x.y.z' },
      };
      const restChange = change(A, T0 + 1, { transport: 'rest', capabilities: ['SearchOrders'], added: ['SearchOrders'], url: 'https://epos.example/api', resellerId: 'rs' });
      assert.equal(await s.integrations.put(rest, restChange), 2);
      assert.equal(await s.integrations.put({ ...ws, tenant: B }, change(B, T0 + 2)), 1, 'another tenant counts from 1');
      assert.equal(await s.integrations.delete(A, 'ws', change(A, T0 + 3, { capabilities: [], added: [], dropped: ['GetOrderById'] })), 3);
      assert.equal(await s.integrations.get(A, 'ws'), undefined);
      const all = await s.integrations.history(A, { limit: 10 });
      assert.deepEqual(all.map((c) => c.seq), [3, 2, 1], 'newest first');
      assert.deepEqual(all[1], { ...restChange, seq: 2 }, 'every field comes back as written');
      assert.deepEqual(all[0]!.dropped, ['GetOrderById']);
      assert.deepEqual((await s.integrations.history(A, { before: 3, limit: 1 })).map((c) => c.seq), [2], 'a page below a cursor');
      assert.deepEqual((await s.integrations.history(A_PROD, { limit: 10 })), [], 'another env is another tenant');
      assert.equal(await s.integrations.pruneHistoryOlder(T0 + 1, 10), 1, 'A’s first row only');
      assert.equal(await s.integrations.pruneHistoryBeyond(1, 10), 1, 'A keeps its newest row; B has one');
      assert.deepEqual((await s.integrations.history(A, { limit: 10 })).map((c) => c.seq), [3]);
      assert.equal(await s.integrations.put(ws, change(A, T0 + 9)), 4, 'seqs never come back');
      assert.equal((await s.integrations.history(B, { limit: 10 })).length, 1);
    });

    test('outbox: insert numbers per tenant and is idempotent by id; get and list with status, cursor and limit', async () => {
      const s = await open();
      const first = await s.outbox.insert(entry(A, 'e1'));
      assert.equal(first.created, true);
      assert.equal(first.entry.seq, 1);
      assert.deepEqual(first.entry.raisedBy, { keyId: 'key_1', softwareHouseId: 'sh', resellerId: 'rs' });
      const again = await s.outbox.insert({ ...entry(A, 'e1'), attempts: 7 });
      assert.equal(again.created, false);
      assert.deepEqual(again.entry, first.entry, 'the stored one comes back unchanged');
      assert.equal((await s.outbox.insert(entry(B, 'e1'))).entry.seq, 1, 'another tenant counts from 1');
      assert.equal((await s.outbox.insert(entry(A, 'e2'))).entry.seq, 2);
      assert.equal((await s.outbox.insert(entry(A, 'e3'))).entry.seq, 3);
      assert.deepEqual(await s.outbox.get(A, 'e2'), (await s.outbox.list(A, { after: 1, limit: 1 }))[0]);
      assert.equal(await s.outbox.get(A_PROD, 'e2'), undefined);
      assert.equal(await s.outbox.update(A, 'e2', { status: 'delivered', deliveredAt: iso(T0), attempts: 1 }), true);
      assert.deepEqual((await s.outbox.list(A, { limit: 10 })).map((e) => e.seq), [1, 2, 3]);
      assert.deepEqual((await s.outbox.list(A, { status: 'pending', limit: 10 })).map((e) => e.seq), [1, 3]);
      assert.deepEqual((await s.outbox.list(A, { status: 'pending', after: 1, limit: 10 })).map((e) => e.seq), [3]);
      assert.deepEqual((await s.outbox.list(A, { limit: 2 })).map((e) => e.seq), [1, 2]);
      const e2 = await s.outbox.get(A, 'e2');
      assert.equal(e2?.status, 'delivered');
      assert.equal(e2?.deliveredAt, iso(T0));
    });

    test('outbox: due heads are each tenant’s oldest pending entry; nextDueAt; update only lands on pending (or expired → delivered)', async () => {
      const s = await open();
      await s.outbox.insert(entry(A, 'a1', T0 + 10));
      await s.outbox.insert(entry(A, 'a2', T0));
      await s.outbox.insert(entry(B, 'b1', T0 + 20));
      assert.deepEqual((await s.outbox.dueHeads(T0 + 10, 10)).map((e) => e.event.id), ['a1'], 'a2 waits behind a1 although due earlier');
      assert.deepEqual((await s.outbox.dueHeads(T0 + 20, 10)).map((e) => e.event.id), ['a1', 'b1'], 'ordered by due time');
      assert.deepEqual((await s.outbox.dueHeads(T0 + 20, 1)).map((e) => e.event.id), ['a1']);
      assert.equal(await s.outbox.nextDueAt(T0), T0 + 10);
      assert.equal(await s.outbox.nextDueAt(T0 + 10), T0 + 20);
      assert.equal(await s.outbox.nextDueAt(T0 + 20), undefined);
      const err = { code: 'EPOS_TIMEOUT', message: 'slow', at: iso(T0) };
      assert.equal(await s.outbox.update(A, 'a1', { attempts: 1, lastError: err, nextAttemptAt: T0 + 100 }), true);
      assert.deepEqual((await s.outbox.get(A, 'a1'))?.lastError, err);
      assert.equal(await s.outbox.update(A, 'a1', { status: 'failed', reason: 'max-attempts' }), true);
      assert.equal(await s.outbox.update(A, 'a1', { status: 'delivered' }), false, 'a finished entry stays as it ended');
      assert.equal(await s.outbox.update(A, 'nope', { attempts: 1 }), false);
      assert.equal(await s.outbox.update(A, 'a1', {}), false);
      assert.deepEqual((await s.outbox.dueHeads(T0 + 20, 10)).map((e) => e.event.id), ['a2', 'b1'], 'the next one is the head');
      assert.equal(await s.outbox.expirePending(T0 + 1, { code: 'EXPIRED', message: 'ttl', at: iso(T0) }, 1), 1);
      assert.equal(await s.outbox.expirePending(T0 + 1, { code: 'EXPIRED', message: 'ttl', at: iso(T0) }, 10), 1);
      assert.equal((await s.outbox.get(A, 'a2'))?.reason, 'ttl');
      assert.equal((await s.outbox.get(B, 'b1'))?.status, 'expired');
      assert.deepEqual(await s.outbox.dueHeads(T0 + 1_000, 10), [], 'nothing pending');
      assert.equal(await s.outbox.update(A, 'a2', { attempts: 1 }), false, 'expired: only a delivery still lands');
      assert.equal(await s.outbox.update(A, 'a2', { status: 'delivered', reason: undefined, deliveredAt: iso(T0 + 5) }), true);
      const a2 = await s.outbox.get(A, 'a2');
      assert.equal(a2?.status, 'delivered');
      assert.equal(a2?.reason, undefined);
    });

    test('outbox: claimDue leases heads to one owner, hides them until the lease ends, and update ends the lease', async () => {
      const s = await open();
      await s.outbox.insert(entry(A, 'a1'));
      await s.outbox.insert(entry(A, 'a2', T0 + 10_000));
      await s.outbox.insert(entry(B, 'b1', T0 + 50));
      const got = await s.outbox.claimDue(T0 + 1, 'node-1', 1_000, 10);
      assert.deepEqual(got.map((e) => e.event.id), ['a1']);
      assert.deepEqual(got[0]!.lease, { owner: 'node-1', until: T0 + 1_001 });
      assert.deepEqual((await s.outbox.get(A, 'a1'))?.lease, { owner: 'node-1', until: T0 + 1_001 });
      assert.deepEqual((await s.outbox.claimDue(T0 + 60, 'node-2', 1_000, 10)).map((e) => e.event.id), ['b1'],
        'a1 is leased and a2 waits behind it');
      assert.equal(await s.outbox.update(B, 'b1', { status: 'delivered' }), true);
      assert.equal(await s.outbox.makeDue(A, T0 + 70), 1, 'makeDue moves a2, not the leased head');
      assert.deepEqual(await s.outbox.claimDue(T0 + 70, 'node-2', 1_000, 10), [], 'still leased');
      assert.equal(await s.outbox.nextDueAt(T0 + 70), T0 + 1_001, 'the head is next due when its lease ends');
      // node-1 dies: its lease runs out and another owner takes the same head.
      const again = await s.outbox.claimDue(T0 + 1_001, 'node-2', 1_000, 10);
      assert.deepEqual(again.map((e) => [e.event.id, e.lease?.owner]), [['a1', 'node-2']]);
      assert.equal(await s.outbox.update(A, 'a1', { status: 'delivered', attempts: 1, deliveredAt: iso(T0) }), true);
      assert.equal((await s.outbox.get(A, 'a1'))?.lease, undefined, 'update ends the lease');
      assert.equal(await s.outbox.update(A, 'a1', { status: 'delivered', attempts: 2 }), false, 'a second delivery does not count');
      const next = await s.outbox.claimDue(T0 + 1_002, 'node-1', 1_000, 10);
      assert.deepEqual(next.map((e) => e.event.id), ['a2']);
      assert.equal(await s.outbox.update(A, 'a2', { nextAttemptAt: T0 + 5_000 }), true, 'a retry ends the lease too');
      assert.deepEqual(await s.outbox.claimDue(T0 + 4_999, 'node-1', 1_000, 10), []);
      assert.deepEqual((await s.outbox.claimDue(T0 + 5_000, 'node-1', 1_000, 10)).map((e) => e.event.id), ['a2']);
    });

    test('outbox: releaseLeases ends the running leases (one owner’s, or all) and makes their heads due at once', async () => {
      const s = await open();
      await s.outbox.insert(entry(A, 'a1'));
      await s.outbox.insert(entry(A, 'a2'));
      await s.outbox.insert(entry(B, 'b1'));
      assert.equal((await s.outbox.claimDue(T0 + 1, 'node-1', 10_000, 1)).length, 1);
      assert.equal((await s.outbox.claimDue(T0 + 1, 'node-2', 10_000, 1)).length, 1);
      assert.deepEqual(await s.outbox.claimDue(T0 + 2, 'node-3', 10_000, 10), [], 'both heads leased');
      assert.equal(await s.outbox.releaseLeases(T0 + 2, 'node-9'), 0, 'another owner’s leases are left alone');
      assert.equal(await s.outbox.releaseLeases(T0 + 2, 'node-1'), 1);
      const one = await s.outbox.claimDue(T0 + 3, 'node-3', 10_000, 10);
      assert.equal(one.length, 1, 'node-1’s head is due again at once, node-2’s still leased');
      assert.equal(await s.outbox.releaseLeases(T0 + 4), 2, 'without an owner: every running lease');
      assert.deepEqual((await s.outbox.claimDue(T0 + 5, 'node-4', 10_000, 10)).map((e) => e.event.id).sort(), ['a1', 'b1'],
        'each tenant’s head again, in order: a2 still waits behind a1');
      assert.equal(await s.outbox.releaseLeases(T0 + 20_000), 0, 'a lease that ran out is not counted');
    });

    test('outbox: makeDue makes a tenant’s waiting entries due now; retention prunes finished ones only, and seqs never come back', async () => {
      const s = await open();
      for (let i = 1; i <= 5; i++) await s.outbox.insert(entry(A, `a${i}`, T0 + 100_000, T0 + i));
      await s.outbox.insert(entry(B, 'b1', T0 + 100_000));
      assert.equal(await s.outbox.makeDue(A, T0), 5);
      assert.equal(await s.outbox.makeDue(A, T0), 0, 'already due');
      assert.deepEqual((await s.outbox.dueHeads(T0, 10)).map((e) => e.event.id), ['a1']);
      for (const id of ['a1', 'a2', 'a3', 'a4']) await s.outbox.update(A, id, { status: 'delivered' });
      assert.equal(await s.outbox.pruneDone(T0 + 3, 10), 2, 'a1 and a2 are finished and older');
      assert.equal(await s.outbox.pruneDoneBeyond(1, 1), 1, 'up to the limit');
      assert.equal(await s.outbox.pruneDoneBeyond(1, 10), 1, 'a3 and a4 are beyond the last 1 and finished');
      assert.deepEqual((await s.outbox.list(A, { limit: 10 })).map((e) => e.event.id), ['a5']);
      assert.equal(await s.outbox.pruneDoneBeyond(0, 10), 0, 'a5 is pending');
      await s.outbox.update(A, 'a5', { status: 'delivered' });
      assert.equal(await s.outbox.pruneDoneBeyond(0, 10), 1);
      assert.equal((await s.outbox.insert(entry(A, 'a6'))).entry.seq, 6, 'pruning hands no seq out twice');
      assert.equal((await s.outbox.get(B, 'b1'))?.status, 'pending');
    });

    test('deliveries: each attempt is logged with its event, the last N kept, newest first, and goes when retention deletes the event', async () => {
      const s = await open();
      await s.outbox.insert(entry(A, 'a1'));
      await s.outbox.insert(entry(A, 'a2'));
      const failedAt = (i: number) => ({
        record: { at: iso(T0 + i), outcome: 'failed' as const, transport: 'ws' as const, node: 'n1', latencyMs: 10 + i, error: { code: 'EPOS_TIMEOUT', message: `slow ${i}` } },
        keep: 3,
      });
      for (let i = 1; i <= 5; i++) assert.equal(await s.outbox.update(A, 'a1', { attempts: i, nextAttemptAt: T0 }, failedAt(i)), true);
      const log = await s.outbox.attempts(A, 'a1', 10);
      assert.deepEqual(log.map((a) => a.at), [iso(T0 + 5), iso(T0 + 4), iso(T0 + 3)], 'the last 3, newest first');
      assert.deepEqual(log[0], { at: iso(T0 + 5), outcome: 'failed', transport: 'ws', node: 'n1', latencyMs: 15, error: { code: 'EPOS_TIMEOUT', message: 'slow 5' } });
      assert.deepEqual((await s.outbox.attempts(A, 'a1', 1)).length, 1);
      assert.deepEqual(await s.outbox.attempts(B, 'a1', 10), [], 'another tenant sees none');
      // An attempt whose change does not land (the entry finished meanwhile) is still logged; one without a transport has no latency.
      assert.equal(await s.outbox.update(A, 'a1', { status: 'delivered', deliveredAt: iso(T0 + 6) }, { record: { at: iso(T0 + 6), outcome: 'delivered', node: 'n2' }, keep: 3 }), true);
      assert.equal(await s.outbox.update(A, 'a1', { nextAttemptAt: T0 }, { record: { at: iso(T0 + 7), outcome: 'failed', node: 'n2' }, keep: 3 }), false);
      assert.deepEqual((await s.outbox.attempts(A, 'a1', 10))[1], { at: iso(T0 + 6), outcome: 'delivered', node: 'n2' });
      assert.equal(await s.outbox.update(A, 'nope', { attempts: 1 }, failedAt(1)), false);
      assert.deepEqual(await s.outbox.attempts(A, 'nope', 10), [], 'no log for an event that is not there');
      await s.outbox.update(A, 'a2', { attempts: 1 }, failedAt(1));
      await s.outbox.update(A, 'a2', { status: 'failed', reason: 'max-attempts' }, failedAt(2));
      assert.equal(await s.outbox.pruneDone(T0 + 1, 1), 1);
      assert.equal(await s.outbox.pruneDone(T0 + 1, 10), 1);
      assert.deepEqual(await s.outbox.attempts(A, 'a1', 10), [], 'pruned with its event');
      assert.deepEqual(await s.outbox.attempts(A, 'a2', 10), []);
      await s.outbox.insert(entry(A, 'a1'));
      assert.deepEqual(await s.outbox.attempts(A, 'a1', 10), [], 'an id raised again starts a fresh log');
    });

    test('deliveries: listed newest first, filtered by type, status and raise time, paged below a seq', async () => {
      const s = await open();
      for (let i = 1; i <= 6; i++) {
        const e = entry(A, `a${i}`, T0, T0 + i * 1000);
        if (i % 2 === 0) e.event.event = 'payment_intent.status_updated';
        await s.outbox.insert(e);
      }
      await s.outbox.insert(entry(B, 'b1', T0, T0 - 1));
      for (const id of ['a1', 'a2', 'a4']) await s.outbox.update(A, id, { status: 'delivered' });
      const ids = (es: OutboxEntry[]) => es.map((e) => e.event.id);
      assert.deepEqual(ids(await s.outbox.deliveries(A, {}, { limit: 4 })), ['a6', 'a5', 'a4', 'a3']);
      assert.deepEqual(ids(await s.outbox.deliveries(A, {}, { before: 3, limit: 4 })), ['a2', 'a1']);
      assert.deepEqual(ids(await s.outbox.deliveries(A, { statuses: ['delivered'] }, { limit: 10 })), ['a4', 'a2', 'a1']);
      assert.deepEqual(ids(await s.outbox.deliveries(A, { statuses: ['pending', 'failed'] }, { limit: 10 })), ['a6', 'a5', 'a3']);
      assert.deepEqual(ids(await s.outbox.deliveries(A, { type: 'payment_intent.status_updated' }, { limit: 10 })), ['a6', 'a4', 'a2']);
      assert.deepEqual(ids(await s.outbox.deliveries(A, { from: T0 + 2000, to: T0 + 5000 }, { limit: 10 })), ['a4', 'a3', 'a2'], 'from inclusive, to exclusive');
      assert.deepEqual(ids(await s.outbox.deliveries(A, { type: 'payment_intent.created', statuses: ['delivered'], from: T0 }, { limit: 10 })), ['a1']);
      assert.deepEqual(ids(await s.outbox.deliveries(B, {}, { limit: 10 })), ['b1'], 'each tenant its own');
      assert.deepEqual(await s.outbox.deliveries(A_PROD, {}, { limit: 10 }), []);
    });

    test('deliveries: a raise-time range pages by seq below the cursor when raise times are not in seq order', async () => {
      // A re-queued event keeps its raise time but takes a new seq: the range's index is not in seq order.
      const s = await open();
      const seconds = [5, 1, 4, 2, 6, 3];
      for (let i = 1; i <= 6; i++) await s.outbox.insert(entry(A, `a${i}`, T0, T0 + seconds[i - 1]! * 1000));
      await s.outbox.insert(entry(B, 'b1', T0, T0 + 3000));
      const pages: string[][] = [];
      let before: number | undefined;
      for (;;) {
        const page = await s.outbox.deliveries(A, { from: T0 + 2000, to: T0 + 6000 }, { ...(before !== undefined ? { before } : {}), limit: 2 });
        pages.push(page.map((e) => e.event.id));
        if (page.length < 2) break;
        before = page[page.length - 1]!.seq;
      }
      assert.deepEqual(pages, [['a6', 'a4'], ['a3', 'a1'], []]);
    });

    test('deliveries: requeue makes a finished entry the tenant’s newest pending one; pending ones are never queued twice', async () => {
      const s = await open();
      for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) await s.outbox.insert(entry(A, id, T0 + 50_000));
      await s.outbox.update(A, 'a1', { status: 'delivered', attempts: 2, deliveredAt: iso(T0), lastAttemptAt: iso(T0) });
      for (const id of ['a3', 'a4', 'a5']) {
        await s.outbox.update(A, id, { status: 'failed', reason: 'max-attempts', attempts: 5, lastError: { code: 'EPOS_TIMEOUT', message: 'slow', at: iso(T0) } });
      }
      const [one, ...none] = await s.outbox.requeue(A, { id: 'a1' }, T0 + 100, 1);
      assert.deepEqual(none, []);
      assert.equal(one?.seq, 6, 'a new seq: the newest');
      assert.equal(one?.status, 'pending');
      assert.equal(one?.attempts, 0);
      assert.equal(one?.nextAttemptAt, T0 + 100);
      assert.equal(one?.deliveredAt, undefined);
      assert.equal(one?.requeuedAt, iso(T0 + 100));
      assert.deepEqual(one?.event, (await s.outbox.get(A, 'a1'))?.event, 'the same event');
      assert.deepEqual(await s.outbox.requeue(A, { id: 'a1' }, T0 + 101, 1), [], 'now pending: not again');
      assert.deepEqual(await s.outbox.requeue(A, { id: 'a2' }, T0 + 101, 1), [], 'a pending one is not touched');
      assert.deepEqual(await s.outbox.requeue(B, { id: 'a3' }, T0 + 101, 1), [], 'another tenant’s id');
      assert.deepEqual((await s.outbox.claimDue(T0 + 100, 'n1', 1_000, 10)).map((e) => e.event.id), [], 'a2 is the head (not due), a1 waits behind it');
      await s.outbox.makeDue(A, T0 + 100);
      assert.deepEqual((await s.outbox.claimDue(T0 + 100, 'n1', 1_000, 10)).map((e) => e.event.id), ['a2']);
      const replayed = await s.outbox.requeue(A, { statuses: ['failed'] }, T0 + 200, 2);
      assert.deepEqual(replayed.map((e) => [e.event.id, e.seq]), [['a3', 7], ['a4', 8]], 'oldest first, in their order, up to the limit');
      assert.deepEqual((await s.outbox.requeue(A, { statuses: ['failed'] }, T0 + 200, 10)).map((e) => e.event.id), ['a5']);
      assert.deepEqual(await s.outbox.requeue(A, { statuses: ['failed'] }, T0 + 200, 10), [], 'a second replay finds them pending');
      assert.deepEqual(await s.outbox.requeue(A, { statuses: ['pending'] }, T0 + 200, 10), [], 'pending never matches');
      // An entry that expired while leased (its delivery may still be under way) waits for the lease to end.
      await s.outbox.insert(entry(B, 'b1', T0, T0 - 1));
      assert.deepEqual((await s.outbox.claimDue(T0 + 300, 'n1', 1_000, 10)).map((e) => e.event.id), ['b1'], 'A’s head a2 is still leased');
      assert.equal(await s.outbox.expirePending(T0, { code: 'EXPIRED', message: 'ttl', at: iso(T0) }, 10), 1, 'b1, raised before T0');
      assert.deepEqual(await s.outbox.requeue(B, { id: 'b1' }, T0 + 400, 1), [], 'still leased');
      assert.deepEqual((await s.outbox.requeue(B, { id: 'b1' }, T0 + 1_300, 1)).map((e) => e.status), ['pending'], 'once the lease ran out');
      assert.equal((await s.outbox.insert(entry(A, 'a6'))).entry.seq, 10, 'seqs stay unique');
      // Retention ages count from the requeue, not the raise.
      const ttl = { code: 'EXPIRED', message: 'ttl', at: iso(T0) };
      assert.equal(await s.outbox.expirePending(T0 + 150, ttl, 100), 3, 'a2 and a6 (raised at T0) and a1 (queued again at T0+100)');
      assert.equal((await s.outbox.get(A, 'a3'))?.status, 'pending', 'raised at T0 but queued again at T0+200');
      assert.equal(await s.outbox.expirePending(T0 + 250, ttl, 100), 3);
    });

    test('deliveries: dead letters in a row pause a tenant for every store; a delivery ends the run; resume makes its pending entries due', async () => {
      const s = await open();
      const t = h.peer ? await h.peer(s) : s;
      if (t !== s) stores.push(t);
      const p = { since: iso(T0), reason: 'two in a row' };
      await s.outbox.insert(entry(A, 'a1'));
      await s.outbox.insert(entry(A, 'a2', T0 + 90_000));
      await s.outbox.insert(entry(B, 'b1', T0, T0 - 1));
      assert.equal(await s.outbox.deadLettered(A, 2, p), undefined);
      assert.equal(await s.outbox.update(A, 'a1', { status: 'delivered' }), true);
      assert.equal(await s.outbox.deadLettered(A, 2, p), undefined, 'the delivery ended the run');
      assert.equal(await s.outbox.deadLettered(B, 0, p), undefined, '0: never');
      assert.deepEqual(await t.outbox.deadLettered(A, 2, p), p, 'two in a row');
      assert.deepEqual(await s.outbox.pauseOf(A), p);
      assert.equal(await s.outbox.pauseOf(B), undefined);
      assert.deepEqual(await s.outbox.deadLettered(A, 2, { since: iso(T0 + 5), reason: 'later' }), p, 'the first pause stays');
      assert.deepEqual(await t.outbox.pause(A, { since: iso(T0 + 9), reason: 'by hand' }), p);
      await s.outbox.makeDue(A, T0);
      assert.deepEqual((await t.outbox.claimDue(T0 + 1, 'n2', 1_000, 10)).map((e) => e.event.id), ['b1'], 'no entry of a paused tenant is handed out');
      assert.equal(await t.outbox.resume(A, T0 + 2), 1, 'one pending');
      assert.equal(await s.outbox.pauseOf(A), undefined);
      assert.deepEqual((await s.outbox.claimDue(T0 + 2, 'n1', 1_000, 10)).map((e) => e.event.id), ['a2']);
      assert.equal(await s.outbox.deadLettered(A, 2, p), undefined, 'resume cleared the run');
      assert.deepEqual(await s.outbox.pause(B, { since: iso(T0 + 9), reason: 'by hand' }), { since: iso(T0 + 9), reason: 'by hand' });
      assert.equal(await s.outbox.resume(B, T0 + 3), 1, 'b1 is pending (leased to n2)');
      assert.equal(await s.outbox.pauseOf(B), undefined);
    });

    test('EPOS events: append numbers per tenant; list after a cursor; retention by age and by count; seqs never come back', async () => {
      const s = await open();
      const rec = (t: Tenant, at: number) => ({
        tenant: t, eventType: 'order.updated', event: { orderId: `ord_${at}` }, receivedAt: iso(at), keyId: 'key_1', softwareHouseId: 'sh',
      });
      for (let i = 0; i < 4; i++) assert.equal((await s.eposEvents.append(rec(A, T0 + i))).seq, i + 1);
      const b = await s.eposEvents.append({ ...rec(B, T0), resellerId: 'rs' });
      assert.equal(b.seq, 1);
      assert.deepEqual(await s.eposEvents.list(B, 0, 10), [b]);
      assert.deepEqual((await s.eposEvents.list(A, 1, 2)).map((e) => e.seq), [2, 3]);
      assert.equal(await s.eposEvents.pruneOlder(T0 + 1, 10), 2, 'A’s first and B’s');
      assert.equal(await s.eposEvents.pruneBeyond(1, 10), 2, 'A keeps its last one');
      assert.deepEqual((await s.eposEvents.list(A, 0, 10)).map((e) => e.seq), [4]);
      assert.equal(await s.eposEvents.pruneBeyond(0, 10), 1);
      assert.equal((await s.eposEvents.append(rec(A, T0 + 9))).seq, 5);
    });

    test('calls: a batch numbers per tenant; get only in its tenant; pages newest first by filter and cursor; points; retention by age and count', async () => {
      const s = await open();
      await s.calls.insertMany([
        call(A, 'c1', T0), call(B, 'cb1', T0 + 1),
        call(A, 'c2', T0 + 10, { capability: 'SearchOrders', transport: 'rest', source: 'tester' }),
        call(A, 'c3', T0 + 10, { status: 'error', errorCode: 'EPOS_TIMEOUT', transport: null, latencyMs: 9, truncated: true, response: '{"code":"EPOS_TIMEOUT"…' }),
      ]);
      await s.calls.insertMany([call(A, 'c4', T0 + 20, { status: 'error', errorCode: 'EPOS_ERROR' }), call(A_PROD, 'cp1', T0 + 30)]);
      const c3 = await s.calls.get(A, callIds.get('c3')!);
      assert.deepEqual(c3, { ...call(A, 'c3', T0 + 10, { status: 'error', errorCode: 'EPOS_TIMEOUT', transport: null, latencyMs: 9, truncated: true, response: '{"code":"EPOS_TIMEOUT"…' }), seq: 3 });
      assert.equal(await s.calls.get(B, callIds.get('c3')!), undefined, 'another tenant’s id is not found');
      assert.equal(await s.calls.get(A_PROD, callIds.get('c3')!), undefined, 'nor in the other env');
      assert.equal(await s.calls.get(A, newCallId(T0 + 10)), undefined, 'an id of the same time that was never written');
      assert.equal(await s.calls.get(A, 'c3'), undefined, 'not an id at all');
      assert.equal(await s.calls.get(A, callIds.get('c3')!.replace(/^call_.{9}/, `call_${(T0 + 11).toString(36).padStart(9, '0')}`)), undefined,
        'an id whose time was changed');
      const ids = async (q: Parameters<Store['calls']['list']>[1], t = A) => (await s.calls.list(t, q)).map((c) => callName(c.id));
      assert.deepEqual(await ids({ limit: 10 }), ['c4', 'c3', 'c2', 'c1'], 'newest first, ties by seq');
      assert.deepEqual(await ids({ limit: 2 }), ['c4', 'c3']);
      assert.deepEqual(await ids({ limit: 10, before: { atMs: T0 + 10, seq: 3 } }), ['c2', 'c1'], 'after the cursor');
      assert.deepEqual(await ids({ limit: 10, capability: 'SearchOrders' }), ['c2']);
      assert.deepEqual(await ids({ limit: 10, status: 'error' }), ['c4', 'c3']);
      assert.deepEqual(await ids({ limit: 10, status: 'error', errorCode: 'EPOS_TIMEOUT' }), ['c3']);
      assert.deepEqual(await ids({ limit: 10, status: 'ok' }), ['c2', 'c1']);
      assert.deepEqual(await ids({ limit: 10, from: T0 + 10, to: T0 + 10 }), ['c3', 'c2'], 'from and to are inclusive');
      assert.deepEqual(await ids({ limit: 10 }, B), ['cb1']);
      assert.deepEqual(await s.calls.points(A, { from: T0 + 5, to: T0 + 20, limit: 2 }), [
        { atMs: T0 + 20, capability: 'GetOrderById', status: 'error', latencyMs: 1.5 },
        { atMs: T0 + 10, capability: 'GetOrderById', status: 'error', latencyMs: 9 },
      ], 'the newest first, up to the limit');
      assert.deepEqual((await s.calls.points(A, { from: T0, to: T0 + 30, capability: 'SearchOrders', limit: 10 })).map((p) => p.atMs), [T0 + 10]);
      const none: Tenant = { accountId: 'no-calls', env: 'sandbox' };
      assert.deepEqual(await s.calls.lastCallAt([A, B, A_PROD, none]),
        new Map([[tenantKey(A), T0 + 20], [tenantKey(B), T0 + 1], [tenantKey(A_PROD), T0 + 30]]), 'each tenant its own newest call; none for a tenant without');
      assert.deepEqual(await s.calls.lastCallAt([]), new Map());
      assert.equal(await s.calls.pruneOlder(T0 + 5, 10), 2, 'A’s c1 and B’s cb1');
      // In chunks: the limit's count, or (a store keeping batches) a wholly due batch at once.
      const chunk = await s.calls.pruneBeyond(1, 1);
      assert.ok(chunk === 1 || chunk === 2, `a chunk of 1 deleted ${chunk}`);
      assert.equal(chunk + await s.calls.pruneBeyond(1, 10), 2, 'c2 and c3 in all');
      assert.deepEqual(await ids({ limit: 10 }), ['c4'], 'A keeps its last one');
      await s.calls.insertMany([call(A, 'c5', T0 + 40)]);
      assert.equal((await s.calls.get(A, callIds.get('c5')!))?.seq, 5, 'seqs never come back');
      // The newest by call time, not the last written: a batch may carry an older call after a newer one.
      await s.calls.insertMany([call(B, 'cb2', T0 + 50), call(B, 'cb3', T0 + 45)]);
      assert.deepEqual(await s.calls.lastCallAt([B, A]), new Map([[tenantKey(B), T0 + 50], [tenantKey(A), T0 + 40]]));
    });

    test('flows: insert, update, get per tenant, in progress by owner node, retention by age and by count', async () => {
      const s = await open();
      await s.flows.insert(flow(A, 'f1', { node: 'n1' }));
      await s.flows.insert(flow(A, 'f2', { node: 'n2', startedAt: iso(T0 + 1) }));
      await s.flows.insert(flow(B, 'f3', { startedAt: iso(T0 + 2) }));
      assert.deepEqual(await s.flows.get(A, 'f1'), flow(A, 'f1', { node: 'n1' }));
      assert.equal(await s.flows.get(B, 'f1'), undefined, 'another tenant’s id is not found');
      const ids = async (o?: Parameters<Store['flows']['inProgress']>[0]) => (await s.flows.inProgress(o)).map((f) => f.flowID);
      assert.deepEqual(await ids(), ['f1', 'f2', 'f3']);
      assert.deepEqual(await ids({ only: 'n2' }), ['f2']);
      assert.deepEqual(await ids({ notIn: ['n1', 'n3'] }), ['f2', 'f3'], 'gone nodes’ flows and flows with no node');
      const step = { name: 'Get the order', status: 'SUCCESS' as const, startedAt: iso(T0), finishedAt: iso(T0), additionalInformation: [] };
      await s.flows.update('f1', { status: 'IN_PROGRESS', steps: [step] });
      assert.deepEqual((await s.flows.get(A, 'f1'))?.steps, [step]);
      await s.flows.update('f1', { status: 'SUCCESS', steps: [step], finishedAt: iso(T0 + 10) });
      await s.flows.update('f1', { status: 'SUCCESS', steps: [step] });
      assert.equal((await s.flows.get(A, 'f1'))?.finishedAt, iso(T0 + 10), 'finishedAt is kept when not given');
      await s.flows.update('f2', { status: 'FAILURE', steps: [], finishedAt: iso(T0 + 20) });
      assert.deepEqual(await ids(), ['f3']);
      for (let i = 0; i < 3; i++) await s.flows.insert(flow(A, `g${i}`, { status: 'SUCCESS', startedAt: iso(T0 + 100 + i), finishedAt: iso(T0 + 100 + i) }));
      assert.equal(await s.flows.pruneFinished(T0 + 15, 10), 1, 'f1 finished before; f3 is running');
      assert.equal(await s.flows.pruneFinishedBeyond(2, 10), 2, 'A keeps its newest 2 finished runs');
      assert.equal(await s.flows.get(A, 'f2'), undefined);
      assert.ok(await s.flows.get(A, 'g2'));
      assert.ok(await s.flows.get(A, 'g1'));
      assert.ok(await s.flows.get(B, 'f3'), 'a running flow is never pruned');
    });

    test('flows: the latest finished run per flow of a tenant, without steps; running and other tenants’ runs are not read', async () => {
      const s = await open();
      await s.flows.insert(flow(A, 'a1', { status: 'SUCCESS', finishedAt: iso(T0 + 10) }));
      await s.flows.insert(flow(A, 'a2', { status: 'FAILURE', finishedAt: iso(T0 + 20) }));
      await s.flows.insert(flow(A, 'a3', { startedAt: iso(T0 + 30) }));
      await s.flows.insert(flow(A, 'p1', { flow: 'Pay at Table', flowName: 'Pay at Table', status: 'TIMED_OUT', finishedAt: iso(T0 + 5) }));
      await s.flows.insert(flow(A, 'p2', { flow: 'Pay at Table', flowName: 'Pay at Table', status: 'SUCCESS', finishedAt: iso(T0 + 15) }));
      await s.flows.insert(flow(B, 'b1', { status: 'SUCCESS', finishedAt: iso(T0 + 99) }));
      const latest = (await s.flows.latestFinished(A)).sort((x, y) => x.flow.localeCompare(y.flow));
      assert.deepEqual(latest, [
        { flowID: 'a2', flow: 'Get Order', status: 'FAILURE', finishedAt: iso(T0 + 20) },
        { flowID: 'p2', flow: 'Pay at Table', status: 'SUCCESS', finishedAt: iso(T0 + 15) },
      ]);
      assert.deepEqual(await s.flows.latestFinished(A_PROD), []);
    });

    test('seq numbers allocated concurrently (two stores where there can be two) never collide', async () => {
      const s = await open();
      const t = h.peer ? await h.peer(s) : s;
      if (t !== s) stores.push(t);
      const n = 60;
      const raised = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? s : t).outbox.insert(entry(A, `e${i}`))));
      assert.deepEqual(raised.map((r) => r.entry.seq).sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i + 1));
      const dupes = await Promise.all([s, t, s, t].map((x) => x.outbox.insert(entry(A, 'same'))));
      assert.equal(dupes.filter((d) => d.created).length, 1, 'one raise of an id wins');
      assert.equal(new Set(dupes.map((d) => d.entry.seq)).size, 1);
      const appended = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? s : t).eposEvents.append({
        tenant: A, eventType: 'order.updated', event: {}, receivedAt: iso(T0), keyId: 'k', softwareHouseId: 'sh',
      })));
      assert.deepEqual(appended.map((r) => r.seq).sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i + 1));
      assert.deepEqual((await s.eposEvents.list(A, 0, 500)).map((r) => r.seq), Array.from({ length: n }, (_, i) => i + 1));
    });

    test('claim race: workers on two stores claiming at once deliver each event once, each tenant in order', async () => {
      const s = await open();
      const t = h.peer ? await h.peer(s) : s;
      if (t !== s) stores.push(t);
      const tenants = Array.from({ length: 12 }, (_, i): Tenant => ({ accountId: `acc-${i}`, env: 'sandbox' }));
      const perTenant = 8;
      for (let k = 0; k < perTenant; k++) await Promise.all(tenants.map((tn) => s.outbox.insert(entry(tn, `${tn.accountId}-${k}`))));
      const delivered: { tenant: string; seq: number; by: string }[] = [];
      const holding = new Set<string>();
      const worker = async (store: Store, owner: string): Promise<void> => {
        for (let idle = 0; idle < 5;) {
          const got = await store.outbox.claimDue(T0 + 1, owner, 60_000, 3);
          if (!got.length) { idle++; await new Promise((r) => setTimeout(r, 2)); continue; }
          idle = 0;
          await Promise.all(got.map(async (e) => {
            const key = e.tenant.accountId;
            assert.ok(!holding.has(key), `${key}: one entry of a tenant is held at a time`);
            holding.add(key);
            delivered.push({ tenant: key, seq: e.seq, by: owner });
            await new Promise((r) => setImmediate(r));
            holding.delete(key);
            assert.equal(await store.outbox.update(e.tenant, e.event.id, { status: 'delivered', attempts: e.attempts + 1 }), true);
          }));
        }
      };
      await Promise.all([worker(s, 'n1'), worker(t, 'n2'), worker(s, 'n3'), worker(t, 'n4')]);
      assert.equal(delivered.length, tenants.length * perTenant, 'every event delivered exactly once');
      for (const tn of tenants) {
        const seqs = delivered.filter((d) => d.tenant === tn.accountId).map((d) => d.seq);
        assert.deepEqual(seqs, Array.from({ length: perTenant }, (_, i) => i + 1), `${tn.accountId} in order`);
      }
      if (t !== s) {
        const owners = new Set(delivered.map((d) => d.by));
        assert.ok(owners.size >= 2, `both stores took work (${[...owners].join(', ')})`);
      }
    });

    if (h.openMany) {
      test('migrations started by three nodes at once on a fresh database run once, and each store works', async () => {
        const many = await h.openMany!(3);
        stores.push(...many);
        await Promise.all(many.map((m, i) => m.keys.insert({ id: `k${i}`, accountId: 'acc', env: 'sandbox', hash: `h${i}`, hint: 'x', createdAt: iso(T0) })));
        assert.equal((await many[0]!.keys.list()).length, 3);
      });
    }
  });
}
