// Query plans of the console's list pages (issue 13: pages still work at 100,000 log rows and 1,000
// tenants). Each page's store call runs on a real SQLite store while every statement it executes
// is recorded (its SQL text and values, as the store prepared them), then EXPLAIN QUERY PLAN shows
// how SQLite runs exactly that: it must seek an index on the tenant and never sort in a temp B-tree
// the rows the tenant has (only a time range's matches are sorted, as index entries). PostgreSQL's
// plans of the same calls are checked at the end with EXPLAIN. Latency at that size
// is measured by benchmark B11 (BENCHMARKS.md), not here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import type { PoolClient } from 'pg';
import { newCallId } from '../../../packages/eposgate/src/platform/calllog/ids.ts';
import { SqliteStore } from '../../../packages/eposgate/src/platform/store/sqlite/index.ts';
import type { Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';
import { PostgresStore } from '../../../packages/eposgate/src/platform/store/postgres/index.ts';
import { tempDir } from '../../helpers/platform.ts';
import { dropSchemas, schemaUrl } from './pg.ts';

interface Ran { sql: string; args: unknown[]; db: Statement<unknown[]>['database'] }

const T: Tenant = { accountId: 'acct-plans', env: 'sandbox' };
let dir: string;
let store: SqliteStore;
let ran: Ran[] = [];
const restore: (() => void)[] = [];

/** Records every statement run through all/get while installed (the store's own prepared ones). */
function recordStatements(db: SqliteStore['db']): void {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Statement<unknown[]>;
  for (const name of ['all', 'get', 'iterate'] as const) {
    const orig = proto[name] as (...a: unknown[]) => unknown;
    (proto as unknown as Record<string, unknown>)[name] = function (this: Statement<unknown[]>, ...args: unknown[]) {
      ran.push({ sql: this.source, args, db: this.database });
      return orig.apply(this, args);
    };
    restore.push(() => { (proto as unknown as Record<string, unknown>)[name] = orig; });
  }
}

/** The statements one store call ran, each with its plan's detail lines. */
async function plansOf(call: () => Promise<unknown>): Promise<{ sql: string; plan: string[] }[]> {
  ran = [];
  await call();
  const seen = ran.filter((r) => !r.sql.startsWith('EXPLAIN'));
  ran = [];
  assert.ok(seen.length > 0, 'the store call ran no statement');
  return seen.map((r) => ({
    sql: r.sql,
    // On the connection that ran it: the call log lives in its own file (calls.db).
    plan: (r.db.prepare(`EXPLAIN QUERY PLAN ${r.sql}`).all(...r.args) as { detail: string }[]).map((x) => x.detail),
  }));
}

/**
 * The one statement of a page: it searches `table` on `index` (its tenant columns bound), scans no
 * table, and sorts nothing unless `sorts` (a time range's matches). Answers the plan's lines.
 */
async function assertPage(call: () => Promise<unknown>, table: string, index: RegExp, sorts = false): Promise<string[]> {
  const plans = await plansOf(call);
  const page = plans.find((p) => new RegExp(`\\bFROM ${table}\\b`).test(p.sql));
  assert.ok(page, `no statement read ${table}: ${plans.map((p) => p.sql).join(' | ')}`);
  const text = page.plan.join('\n');
  const search = page.plan.find((d) => d.startsWith(`SEARCH ${table} `) || d.startsWith(`SEARCH r `));
  assert.ok(search, `${table} is not searched by an index:\n${text}`);
  assert.match(search, index, `${table} is searched on the wrong index:\n${text}`);
  assert.match(search, /account_id=\? AND env=\?/, `the search does not bind the tenant:\n${text}`);
  assert.doesNotMatch(text, /^SCAN /m, `a full scan:\n${text}`);
  if (!sorts) assert.doesNotMatch(text, /TEMP B-TREE/, `a sort in a temp B-tree:\n${text}`);
  return page.plan;
}

/** The primary key (account_id, env, seq) of a rowid table: SQLite's index of it, made first. */
const PK = (table: string, more = '') => new RegExp(`INDEX sqlite_autoindex_${table}_1 \\(account_id=\\? AND env=\\?${more}\\)`);

before(async () => {
  dir = tempDir('eposgate-plans-');
  store = new SqliteStore(dir, { durability: 'normal' });
  recordStatements(store.db);
  recordStatements(store.callsDb);
});

after(async () => {
  for (const r of restore) r();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3_600_000;
const now = Date.UTC(2026, 10, 27, 12);

// calls.db keeps a tenant's calls as batches (store/sqlite/callBatch.ts): every page walks the
// tenant's batches newest first on call_batches_last, filtered on that index alone, never sorted.
describe('GET /epos/logs (call log pages)', () => {
  const page = (q: Parameters<SqliteStore['calls']['list']>[1]) => () => store.calls.list(T, q);
  it('the first page walks call_batches_last newest first', async () => {
    await assertPage(page({ limit: 51 }), 'call_batches', /call_batches_last/);
  });
  it('a cursor page filters the batches on the index', async () => {
    const plan = await assertPage(page({ before: { atMs: now, seq: 50_000 }, limit: 51 }), 'call_batches', /call_batches_last/);
    assert.doesNotMatch(plan.join('\n'), /^SCAN /m);
  });
  it('a capability filter walks call_batches_last', async () => {
    await assertPage(page({ capability: 'GetOrderById', limit: 51 }), 'call_batches', /call_batches_last/);
  });
  it('the status filters walk call_batches_last', async () => {
    await assertPage(page({ status: 'error', limit: 51 }), 'call_batches', /call_batches_last/);
    await assertPage(page({ status: 'ok', limit: 51 }), 'call_batches', /call_batches_last/);
  });
  it('a time range seeks last_at on call_batches_last', async () => {
    await assertPage(page({ from: now - HOUR, to: now, limit: 51 }), 'call_batches', /call_batches_last .*last_at>\?/);
  });
  it('a capability filter with a time range and a cursor stays on call_batches_last', async () => {
    await assertPage(page({ capability: 'GetOrderById', from: now - HOUR, to: now, before: { atMs: now, seq: 9 }, limit: 51 }), 'call_batches', /call_batches_last .*last_at>\?/);
  });
  it('a call by id seeks the batches around its time', async () => {
    await assertPage(() => store.calls.get(T, newCallId(now)), 'call_batches', /call_batches_last .*last_at>\?/);
  });
});

describe('GET /epos/logs/stats', () => {
  it('the points of an hour seek last_at on call_batches_last', async () => {
    await assertPage(() => store.calls.points(T, { from: now - HOUR, to: now, limit: 10_000 }), 'call_batches', /call_batches_last .*last_at>\?/);
  });
  it('with a capability, the same', async () => {
    await assertPage(() => store.calls.points(T, { from: now - HOUR, to: now, capability: 'GetOrderById', limit: 10_000 }), 'call_batches', /call_batches_last .*last_at>\?/);
  });
});

describe('GET /admin/tenants: lastCallAt', () => {
  // One seek per tenant of the page: max(last_at) is the last entry of the tenant's range of
  // call_batches_last, read from the index alone; nothing of the tenant's rows is walked or sorted.
  it('each tenant seeks the end of its range of call_batches_last', async () => {
    const plans = await plansOf(() => store.calls.lastCallAt([T, { accountId: 'acct-other', env: 'production' }]));
    // (Each run is recorded once per connection patched: both share the Statement prototype.)
    assert.deepEqual(new Set(plans.map((p) => p.sql)).size, 1, 'one statement, run per tenant');
    for (const p of plans) {
      const text = p.plan.join('\n');
      assert.match(text, /^SEARCH call_batches USING COVERING INDEX call_batches_last \(account_id=\? AND env=\?\)$/m, text);
      assert.doesNotMatch(text, /^SCAN |TEMP B-TREE/m, text);
    }
  });
});

describe('GET /epos/events/deliveries', () => {
  const page = (f: Parameters<SqliteStore['outbox']['deliveries']>[1], before?: number) =>
    () => store.outbox.deliveries(T, f, { ...(before !== undefined ? { before } : {}), limit: 51 });
  it('no filter: the primary key, newest first, below the cursor', async () => {
    await assertPage(page({}), 'event_outbox', PK('event_outbox'));
    await assertPage(page({}, 500), 'event_outbox', PK('event_outbox', ' AND seq<\\?'));
  });
  it('a status: event_outbox_status', async () => {
    await assertPage(page({ statuses: ['failed'] }, 500), 'event_outbox', /event_outbox_status .*status=\? AND seq<\?/);
  });
  it('a type: event_outbox_type (events-004-delivery-filters)', async () => {
    await assertPage(page({ type: 'payment_intent.created' }), 'event_outbox', /event_outbox_type .*type=\?/);
    await assertPage(page({ type: 'payment_intent.created' }, 500), 'event_outbox', /event_outbox_type .*type=\? AND seq<\?/);
  });
  it('a time range: the range on the covering event_outbox_created, its seqs sorted, then the page by primary key', async () => {
    for (const f of [{ from: now - HOUR, to: now }, { from: now - HOUR }, { to: now, statuses: ['failed' as const] }]) {
      const plan = await assertPage(page(f, 500), 'event_outbox', PK('event_outbox', ' AND seq=\\?'), true);
      const text = plan.join('\n');
      // The only sort is of index entries (no table row is read for it), within the range.
      assert.match(text, /SEARCH event_outbox USING COVERING INDEX event_outbox_created \(account_id=\? AND env=\? AND created_at[<>]/, text);
      assert.equal(plan.filter((d) => d.includes('TEMP B-TREE')).length, 1, text);
    }
  });
});

describe('GET /epos/integrations/history', () => {
  it('the primary key, newest first, below the cursor', async () => {
    await assertPage(() => store.integrations.history(T, { before: 40, limit: 51 }), 'integration_history', PK('integration_history', ' AND seq<\\?'));
  });
});

describe('GET /admin/tenants', () => {
  // Not one tenant's rows: the admin's list walks every key in (account, env) order on the
  // covering index, reading no table row and sorting nothing; a search filters that walk (a
  // substring cannot seek), a cursor starts it after the last tenant shown.
  for (const [what, q] of [
    ['the first page', { limit: 51 }],
    ['a search', { search: 'acct-1', limit: 51 }],
    ['a search after a cursor', { search: 'acct-1', after: { accountId: 'acct-100', env: 'sandbox' as const }, limit: 51 }],
  ] as const) {
    it(`${what}: the covering index api_keys_tenant, no sort`, async () => {
      const plans = await plansOf(() => store.keys.tenants(q));
      const text = plans.map((p) => p.plan.join('\n')).join('\n');
      assert.match(text, /USING COVERING INDEX api_keys_tenant/, text);
      assert.doesNotMatch(text, /TEMP B-TREE/, text);
      assert.doesNotMatch(text, /^SCAN api_keys$/m, text);
    });
  }
});

// PostgreSQL: the same store calls on a fresh schema, each statement run through Pg.rows recorded and
// explained with sequential scans off (on empty tables the planner would rightly pick one), so the
// plan shows which index serves it. Only the pages whose plan does not hinge on the table's
// statistics: a time range's and the admin search's choice would, and an empty schema has none.
describe('PostgreSQL: the same pages on their indexes', () => {
  const schema = `plans_${process.pid}_${Date.now()}`;
  let pgStore: PostgresStore;
  let client: PoolClient;
  let pgRan: { sql: string; params: unknown[] }[] = [];
  before(async () => {
    pgStore = await PostgresStore.open(schemaUrl(schema));
    const rows = pgStore.db.rows.bind(pgStore.db);
    pgStore.db.rows = ((sql: string, params: unknown[] = []) => { pgRan.push({ sql, params }); return rows(sql, params); }) as typeof pgStore.db.rows;
    client = await pgStore.db.pool.connect();
    await client.query('SET enable_seqscan = off');
  });
  after(async () => {
    client?.release();
    await pgStore?.close();
    await dropSchemas(schema);
  });

  const explain = async (call: () => Promise<unknown>): Promise<string> => {
    pgRan = [];
    await call();
    assert.equal(pgRan.length, 1, pgRan.map((r) => r.sql).join(' | '));
    const r = await client.query(`EXPLAIN ${pgRan[0]!.sql}`, pgRan[0]!.params);
    return r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n');
  };
  it('tenants\' lastCallAt: per tenant of the page one row from the end of its calls_tenant_at range', async () => {
    const plan = await explain(() => pgStore.calls.lastCallAt([T, { accountId: 'acct-other', env: 'production' }]));
    // The max() becomes a limit-1 backward scan of the tenant's range: a seek, not a walk.
    assert.match(plan, /Limit[\s\S]*Index Only Scan Backward using calls_tenant_at on calls/, plan);
    assert.match(plan, /Index Cond: \(\(account_id = t\.account_id\) AND \(env = t\.env\)/, plan);
    assert.doesNotMatch(plan, /Seq Scan|Sort|Aggregate/, plan);
  });
  for (const [what, call, index] of [
    ['logs, first page', () => pgStore.calls.list(T, { limit: 51 }), 'calls_tenant_at'],
    ['logs, cursor', () => pgStore.calls.list(T, { before: { atMs: now, seq: 9 }, limit: 51 }), 'calls_tenant_at'],
    ['logs, capability', () => pgStore.calls.list(T, { capability: 'GetOrderById', limit: 51 }), 'calls_tenant_at'],
    ['logs, status', () => pgStore.calls.list(T, { status: 'error', limit: 51 }), 'calls_errors'],
    ['logs, an hour', () => pgStore.calls.list(T, { from: now - HOUR, to: now, limit: 51 }), 'calls_tenant_at'],
    ['stats, an hour', () => pgStore.calls.points(T, { from: now - HOUR, to: now, limit: 10_000 }), 'calls_tenant_at'],
    ['deliveries, cursor', () => pgStore.outbox.deliveries(T, {}, { before: 500, limit: 51 }), 'event_outbox_pkey'],
    ['deliveries, status', () => pgStore.outbox.deliveries(T, { statuses: ['failed'] }, { limit: 51 }), 'event_outbox_status'],
    ['deliveries, type', () => pgStore.outbox.deliveries(T, { type: 'payment_intent.created' }, { limit: 51 }), 'event_outbox_type'],
    ['registration history', () => pgStore.integrations.history(T, { before: 40, limit: 51 }), 'integration_history_pkey'],
  ] as const) {
    it(`${what}: ${index}, in order, no sort`, async () => {
      const plan = await explain(call);
      assert.match(plan, new RegExp(`Index Scan Backward using ${index} on `), plan);
      assert.match(plan, /Index Cond: \(\(account_id = 'acct-plans'::text\) AND \(env = 'sandbox'::text\)/, plan);
      assert.doesNotMatch(plan, /Seq Scan|Sort/, plan);
    });
  }
});
