// B11: the console's API pages at scale (issue 13). One platform (SQLite, durable) whose store holds
// 100,000 calls and 10,000 outbox events of one tenant, plus 1,000 other tenants (a key each, every
// other one registered, 20 calls each), all written straight through the store; then each page's
// latency, one request at a time from this process over HTTP, against GET /healthz on the same
// platform in the same run (rounds alternate which goes first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Pool } from 'undici';
import { startPlatform } from '../packages/eposgate/src/platform/platform.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import { generateKey, hashKey, keyHint } from '../packages/eposgate/src/platform/auth/apiKey.ts';
import type { CallRecord, OutboxEntry } from '../packages/eposgate/src/platform/store/store.ts';
import type { Tenant } from '../packages/eposgate/src/platform/tenant.ts';
import { closedLoop, median, round, type LoopResult } from './lib.ts';
import type { Result } from './run.ts';

interface Cfg { rounds: number; latWarmupMs: number; latDurationMs: number }
type Report = (r: Omit<Result, 'met'> & { met?: boolean | null }) => void;

const CALLS = 100_000;
const EVENTS = 10_000;
const TENANTS = 1_000;
const CALLS_PER_TENANT = 20;
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Each page's p99, absolute, on this (shared, 2-CPU) machine. */
const TARGET_P99_MS = 50;
const ADMIN_TOKEN = 'b11-operator-token-that-is-long-enough-0123456789';
const CAPS = ['GetOrderById', 'SearchOrders', 'ListAreas', 'GetMenu'] as const;
const TYPES = ['payment_intent.created', 'payment_intent.status_updated'] as const;
const DONE = ['delivered', 'delivered', 'delivered', 'failed', 'skipped', 'expired'] as const;

function call(tenant: Tenant, i: number, atMs: number): CallRecord {
  const error = i % 20 === 0;
  return {
    id: `call-${tenant.accountId}-${i}`, tenant, atMs, capability: CAPS[i % CAPS.length]!, transport: 'ws', node: 'bench',
    source: 'data-api', status: error ? 'error' : 'ok', ...(error ? { errorCode: 'EPOS_TIMEOUT' } : {}),
    latencyMs: 3 + (i % 40), requestor: { softwareHouseId: 'bench' },
    request: '{"orderId":"ord-1"}', response: error ? '{"code":"EPOS_TIMEOUT","message":"timed out"}' : '{"id":"ord-1","total":1200}',
    truncated: false,
  };
}

export async function runB11(cfg: Cfg, report: Report, log: (s: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eposgate-bench-b11-'));
  const p = await startPlatform({
    dataDir: dir, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), adminToken: ADMIN_TOKEN,
    limits: UNLIMITED_RATES, rateLimit: { perSecond: 1e9, burst: 1e9 },
  });
  const pool = new Pool(p.url, { connections: 1 });
  try {
    // ── seed ──
    const t0 = performance.now();
    const main: Tenant = { accountId: 'bench-b11-main', env: 'sandbox' };
    const { key } = await p.keys.create(main.accountId, main.env);
    const now = Date.now();
    const start = now - DAY;
    const step = DAY / CALLS;
    for (let i = 0; i < CALLS; i += 2_000) {
      await p.store.calls.insertMany(Array.from({ length: 2_000 }, (_, j) => call(main, i + j, Math.floor(start + (i + j) * step))));
    }
    const at = new Date().toISOString();
    for (let i = 0; i < TENANTS; i += 1) {
      const accountId = `acct-${String(i).padStart(4, '0')}`;
      const tenant: Tenant = { accountId, env: 'sandbox' };
      const k = generateKey('sandbox');
      await p.store.keys.insert({ id: `key_b11_${i}`, accountId, env: 'sandbox', hash: hashKey(k), hint: keyHint(k), createdAt: at });
      if (i % 2 === 0) {
        await p.store.integrations.put({
          tenant, transport: 'ws', createdAt: at, softwareHouseId: 'bench-b11',
          capabilities: [{ name: 'GetOrderById', version: 'v1', updatedAt: at }],
        });
      }
      await p.store.calls.insertMany(Array.from({ length: CALLS_PER_TENANT }, (_, j) => call(tenant, j, now - j * 60_000)));
    }
    // Events raised over the last day, most finished (the outbox keeps up to 100,000 done ones per tenant).
    const evStep = DAY / EVENTS;
    for (let i = 0; i < EVENTS; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => {
        const n = i + j;
        const created = new Date(Math.floor(start + n * evStep)).toISOString();
        const e: Omit<OutboxEntry, 'seq'> = {
          tenant: main, status: n > EVENTS - 20 ? 'pending' : DONE[n % DONE.length]!, attempts: 1, nextAttemptAt: now + DAY,
          event: { id: `ev-${n}`, accountId: main.accountId, event: TYPES[n % 2]!, data: { paymentIntentId: `pi_${n}`, paymentStatus: 'Created', captureMode: 'Auto' }, createdAt: created },
          raisedBy: { keyId: 'bench', softwareHouseId: 'bench' },
        };
        return p.store.outbox.insert(e);
      }));
    }
    log(`  B11: seeded ${CALLS} calls + ${EVENTS} events (one tenant), ${TENANTS} tenants × (key, ${CALLS_PER_TENANT} calls, every other one registered) in ${Math.round(performance.now() - t0)} ms`);

    // ── pages ──
    const tenantHeaders = { authorization: `Basic ${key}`, 'software-house-id': 'bench-console' };
    const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const get = async (path: string, headers: Record<string, string>): Promise<unknown> => {
      const r = await pool.request({ method: 'GET', path, headers });
      const text = await r.body.text();
      if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode} ${text.slice(0, 200)}`);
      return JSON.parse(text);
    };
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    // A cursor 90,000 rows deep, taken from the API: the page ending just before the 10,000th oldest call.
    const deep = (await get(`/epos/logs?to=${iso(start + 10_000 * step)}&limit=1`, tenantHeaders)) as { nextCursor?: string };
    if (!deep.nextCursor) throw new Error('B11: no deep cursor');
    const hour = `from=${iso(now - HOUR)}&to=${iso(now)}`;
    const pages: { id: string; path: string; headers: Record<string, string>; check(b: unknown): boolean }[] = [
      { id: 'logs-first', path: '/epos/logs?limit=50', headers: tenantHeaders, check: (b) => (b as { logs: unknown[] }).logs.length === 50 },
      { id: 'logs-deep', path: `/epos/logs?cursor=${deep.nextCursor}&limit=50`, headers: tenantHeaders, check: (b) => (b as { logs: unknown[] }).logs.length === 50 },
      { id: 'logs-capability', path: '/epos/logs?capability=SearchOrders&limit=50', headers: tenantHeaders, check: (b) => (b as { logs: unknown[] }).logs.length === 50 },
      { id: 'logs-status', path: '/epos/logs?status=error&limit=50', headers: tenantHeaders, check: (b) => (b as { logs: unknown[] }).logs.length === 50 },
      { id: 'logs-hour', path: `/epos/logs?${hour}&limit=50`, headers: tenantHeaders, check: (b) => (b as { logs: unknown[] }).logs.length === 50 },
      { id: 'stats-hour', path: '/epos/logs/stats', headers: tenantHeaders, check: (b) => JSON.stringify(b).includes('SearchOrders') },
      { id: 'deliveries', path: '/epos/events/deliveries?limit=50', headers: tenantHeaders, check: (b) => (b as { deliveries: unknown[] }).deliveries.length === 50 },
      { id: 'deliveries-status', path: '/epos/events/deliveries?status=failed&limit=50', headers: tenantHeaders, check: (b) => (b as { deliveries: unknown[] }).deliveries.length === 50 },
      { id: 'deliveries-type', path: '/epos/events/deliveries?type=payment_intent.created&limit=50', headers: tenantHeaders, check: (b) => (b as { deliveries: unknown[] }).deliveries.length === 50 },
      { id: 'deliveries-hour', path: `/epos/events/deliveries?${hour}&limit=50`, headers: tenantHeaders, check: (b) => (b as { deliveries: unknown[] }).deliveries.length > 100 / 24 },
      // The worst case of a time range: a whole day's events found on event_outbox_created, then sorted by seq.
      { id: 'deliveries-day', path: `/epos/events/deliveries?from=${iso(start)}&to=${iso(now + 1)}&limit=50`, headers: tenantHeaders, check: (b) => (b as { deliveries: unknown[] }).deliveries.length === 50 },
      { id: 'admin-tenants', path: '/admin/tenants?limit=50', headers: adminHeaders, check: (b) => (b as { tenants: unknown[] }).tenants.length === 50 },
      { id: 'admin-search', path: '/admin/tenants?q=ACCT-09&limit=50', headers: adminHeaders, check: (b) => (b as { tenants: unknown[] }).tenants.length === 50 },
    ];
    for (const pg of pages) {
      const body = await get(pg.path, pg.headers);
      if (!pg.check(body)) throw new Error(`B11 ${pg.id}: unexpected answer ${JSON.stringify(body).slice(0, 300)}`);
    }

    const loop = (path: string, headers: Record<string, string>) => closedLoop(() => get(path, headers), 1, cfg.latWarmupMs, cfg.latDurationMs);
    const health: LoopResult[] = [];
    const runs = new Map<string, LoopResult[]>(pages.map((pg) => [pg.id, []]));
    for (let r = 0; r < cfg.rounds; r += 1) {
      const measurePages = async () => { for (const pg of pages) runs.get(pg.id)!.push(await loop(pg.path, pg.headers)); };
      const measureHealth = async () => { health.push(await loop('/healthz', {})); };
      if (r % 2 === 0) { await measureHealth(); await measurePages(); } else { await measurePages(); await measureHealth(); }
    }
    const bad = [...health, ...[...runs.values()].flat()].find((x) => x.errors > 0 || x.count === 0);
    if (bad) throw new Error(`B11: ${bad.errors} errors, ${bad.count} ok (${bad.firstError ?? 'no calls completed'})`);
    const hp50 = median(health.map((x) => x.latencyMs.p50));
    const hp99 = median(health.map((x) => x.latencyMs.p99));
    for (const pg of pages) {
      const rs = runs.get(pg.id)!;
      const p50 = median(rs.map((x) => x.latencyMs.p50));
      const p99 = median(rs.map((x) => x.latencyMs.p99));
      report({
        id: `B11-${pg.id}`, title: `GET ${pg.path.replace(/(from|to|cursor)=[^&]+/g, '$1=…')}, 1 in flight, at ${CALLS} calls / ${TENANTS} tenants: p99 ms`,
        target: TARGET_P99_MS, better: 'lower', figure: round(p99),
        summary: `p50 ${round(p50)} / p99 ${round(p99)} ms vs /healthz ${round(hp50)} / ${round(hp99)} ms (×${round(p50 / hp50, 1)} / ×${round(p99 / hp99, 1)})`,
        detail: {
          subject: { p50Ms: p50, p99Ms: p99, runs: rs.map((x) => ({ rps: x.rps, count: x.count, latencyMs: x.latencyMs })) },
          baseline: { p50Ms: hp50, p99Ms: hp99, runs: health.map((x) => ({ rps: x.rps, count: x.count, latencyMs: x.latencyMs })) },
          ratioP50: round(p50 / hp50), ratioP99: round(p99 / hp99),
        },
      });
    }
  } finally {
    await pool.close();
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
