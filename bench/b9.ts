// B9: flat cost as data grows. The cost of raising an event and having it delivered, and of a
// product call, on a platform whose outbox holds 20,000 pending events spread over 1,000 tenants
// (parked: their EPOSes are offline), against the same on a platform with an empty outbox, in the
// same run. Two platforms side by side, each with its own EPOS process; rounds alternate sides.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Pool } from 'undici';
import { startPlatform, type Platform } from '../src/platform/platform.ts';
import { UNLIMITED_RATES } from '../src/platform/limits.ts';
import { SqliteStore } from '../src/platform/store/sqlite/index.ts';
import type { OutboxStore } from '../src/platform/store/store.ts';
import type { Caller } from '../src/platform/tenant.ts';
import { closedLoop, median, round, startChild, type Child, type LoopResult } from './lib.ts';
import type { LoadSpec, Step } from './loadgen.ts';
import type { Result } from './run.ts';

export interface B9Config {
  warmupMs: number;
  durationMs: number;
  rounds: number;
  latWarmupMs: number;
  latDurationMs: number;
}

const PENDING = 20_000;
const TENANTS = 1_000;
const EVENTS_IN_FLIGHT = 16;
const CALLS_IN_FLIGHT = 64;

interface Side {
  p: Platform;
  key: string;
  epos: Child;
  dataDir: string;
  /** POST /epos/data/v1/events, resolved once the worker recorded the event delivered. */
  raiseAndDeliver(): Promise<void>;
  close(): Promise<void>;
}

/** Fills a fresh data directory with `pending` parked events, as a platform whose EPOSes went offline has. */
async function seedPending(dataDir: string, pending: number): Promise<void> {
  if (pending === 0) return;
  const store = new SqliteStore(dataDir);
  const now = Date.now();
  store.db.transaction(() => {
    for (let i = 0; i < pending; i += 1) {
      const accountId = `offline-${i % TENANTS}`;
      void store.outbox.insert({
        tenant: { accountId, env: 'sandbox' },
        event: {
          id: `parked-${i}`, accountId, event: 'payment_intent.created',
          data: { paymentIntentId: `pi_${i}`, paymentStatus: 'Created', captureMode: 'Auto' }, createdAt: new Date(now - 60_000).toISOString(),
        },
        status: 'pending', attempts: 0,
        // Parked until the EPOS reconnects, as the worker leaves an event whose EPOS is not connected.
        nextAttemptAt: now + 3_600_000,
        raisedBy: { keyId: 'key_offline', softwareHouseId: 'bench-product' },
      });
    }
  })();
  await store.close();
}

async function side(name: string, pending: number): Promise<Side> {
  const dataDir = mkdtempSync(join(tmpdir(), `eposgate-bench-b9-${name}-`));
  await seedPending(dataDir, pending);
  const p = await startPlatform({ dataDir, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), limits: UNLIMITED_RATES });
  const { key, record } = await p.keys.create('bench-b9', 'sandbox');
  const caller: Caller = { accountId: 'bench-b9', env: 'sandbox', keyId: record.id, softwareHouseId: 'bench' };
  await p.registry.put(caller, 'ws', { capabilities: [{ name: 'GetOrderById', version: 'v1' }, { name: 'HandleEvent:payment_intent.created', version: 'v1' }] });
  const epos = startChild('epos-b9.ts', { PLATFORM_URL: p.url, API_KEY: key });
  await epos.wait('ready');

  // Instrumentation: the worker records a delivery through outbox.update; resolve the raiser there.
  const outbox = p.store.outbox as OutboxStore;
  const update = outbox.update.bind(outbox);
  const waiting = new Map<string, () => void>();
  outbox.update = async (tenant, id, change) => {
    const changed = await update(tenant, id, change);
    if (change.status === 'delivered') {
      waiting.get(id)?.();
      waiting.delete(id);
    }
    return changed;
  };
  const pool = new Pool(p.url, { connections: EVENTS_IN_FLIGHT, pipelining: 1, keepAliveTimeout: 30_000 });
  const headers = { authorization: `Basic ${key}`, 'software-house-id': 'bench-product', 'content-type': 'application/json' };
  let n = 0;
  return {
    p, key, epos, dataDir,
    async raiseAndDeliver() {
      const id = `b9-${(n += 1)}`;
      const delivered = new Promise<void>((resolve) => waiting.set(id, resolve));
      const res = await pool.request({
        method: 'POST', path: '/epos/data/v1/events', headers,
        body: JSON.stringify({ id, event: 'payment_intent.created', data: { paymentIntentId: `pi_${id}`, paymentStatus: 'Created', captureMode: 'Auto' } }),
      });
      const body = await res.body.json() as { delivery?: { status?: string } };
      if (res.statusCode !== 202 || body.delivery?.status !== 'pending') {
        waiting.delete(id);
        throw new Error(`raise answered ${res.statusCode} ${JSON.stringify(body).slice(0, 120)}`);
      }
      await delivered;
    },
    async close() {
      await pool.close();
      await epos.stop();
      await p.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function interleave<T>(rounds: number, baseline: () => Promise<T>, subject: () => Promise<T>): Promise<{ baseline: T[]; subject: T[] }> {
  const out = { baseline: [] as T[], subject: [] as T[] };
  for (let r = 0; r < rounds; r += 1) {
    const order = r % 2 === 0 ? [baseline, subject] : [subject, baseline];
    const first = await order[0]!();
    const second = await order[1]!();
    out[r % 2 === 0 ? 'baseline' : 'subject'].push(first);
    out[r % 2 === 0 ? 'subject' : 'baseline'].push(second);
  }
  return out;
}

function clean(label: string, runs: LoopResult[]): void {
  const bad = runs.find((r) => r.errors > 0 || r.count === 0);
  if (bad) throw new Error(`${label}: ${bad.errors} errors, ${bad.count} ok (${bad.firstError ?? 'nothing completed'})`);
}

const brief = (r: LoopResult) => ({ rps: r.rps, count: r.count, errors: r.errors, latencyMs: r.latencyMs });

export async function runB9(cfg: B9Config, result: (r: Omit<Result, 'met'>) => void, log: (s: string) => void): Promise<void> {
  const t0 = performance.now();
  const full = await side('data', PENDING);
  const empty = await side('empty', 0);
  log(`  B9: ${PENDING} pending events over ${TENANTS} tenants seeded and both platforms up in ${Math.round(performance.now() - t0)} ms`);
  const lg = startChild('loadgen.ts');
  try {
    await lg.wait('ready');
    const check = await full.p.store.outbox.dueHeads(Number.MAX_SAFE_INTEGER, 2 * TENANTS);
    if (check.length < TENANTS) throw new Error(`B9: expected ${TENANTS} tenants with pending events, found ${check.length}`);

    // Raise and deliver, EVENTS_IN_FLIGHT raisers at once (one tenant: delivered in order, one at a time).
    const tput = await interleave(cfg.rounds,
      () => closedLoop(() => empty.raiseAndDeliver(), EVENTS_IN_FLIGHT, cfg.warmupMs, cfg.durationMs),
      () => closedLoop(() => full.raiseAndDeliver(), EVENTS_IN_FLIGHT, cfg.warmupMs, cfg.durationMs));
    clean('B9 events, empty outbox', tput.baseline);
    clean('B9 events, 20,000 pending', tput.subject);
    const bE = median(tput.baseline.map((r) => r.rps));
    const sE = median(tput.subject.map((r) => r.rps));
    result({
      id: 'B9', title: `raise + deliver, ${EVENTS_IN_FLIGHT} raisers: cost per event with ${PENDING} pending over ${TENANTS} tenants vs none`,
      target: 1.5, better: 'lower', figure: round(bE / sE),
      summary: `${Math.round(sE)} vs ${Math.round(bE)} events/s raised and delivered; p99 ${round(median(tput.subject.map((r) => r.latencyMs.p99)))} vs ${round(median(tput.baseline.map((r) => r.latencyMs.p99)))} ms`,
      detail: { subject: tput.subject.map(brief), baseline: tput.baseline.map(brief), roundRatios: tput.subject.map((r, i) => round(tput.baseline[i]!.rps / r.rps)) },
    });

    // One at a time: the time from POST to the EPOS's answer being recorded.
    const lat = await interleave(cfg.rounds,
      () => closedLoop(() => empty.raiseAndDeliver(), 1, cfg.latWarmupMs, cfg.latDurationMs),
      () => closedLoop(() => full.raiseAndDeliver(), 1, cfg.latWarmupMs, cfg.latDurationMs));
    clean('B9 latency, empty outbox', lat.baseline);
    clean('B9 latency, 20,000 pending', lat.subject);
    const bL = median(lat.baseline.map((r) => r.latencyMs.p50));
    const sL = median(lat.subject.map((r) => r.latencyMs.p50));
    result({
      id: 'B9-latency', title: 'raise + deliver, 1 at a time: median time to delivered, with vs without the pending events',
      target: 1.5, better: 'lower', figure: round(sL / bL),
      summary: `p50 ${round(sL, 3)} vs ${round(bL, 3)} ms`,
      detail: { subject: lat.subject.map(brief), baseline: lat.baseline.map(brief) },
    });

    // A product call: GET /epos/data/v1/orders/{id} through the platform to the EPOS, from the load generator.
    const step = (s: Side): Step => ({ method: 'GET', path: '/epos/data/v1/orders/ord-1', headers: { authorization: `Basic ${s.key}`, 'software-house-id': 'bench-product' } });
    const run = (s: Side) => lg.ask<{ result: LoopResult }>({
      cmd: 'run', origin: s.p.url, concurrency: CALLS_IN_FLIGHT, steps: [[step(s)]], warmupMs: cfg.warmupMs, durationMs: cfg.durationMs,
    } satisfies LoadSpec & Record<string, unknown>).then((m) => m.result);
    const calls = await interleave(cfg.rounds, () => run(empty), () => run(full));
    clean('B9 calls, empty outbox', calls.baseline);
    clean('B9 calls, 20,000 pending', calls.subject);
    const bC = median(calls.baseline.map((r) => r.rps));
    const sC = median(calls.subject.map((r) => r.rps));
    result({
      id: 'B9-call', title: `GET /epos/data/v1/orders/{id}, ${CALLS_IN_FLIGHT} connections: cost per call with the pending events vs none`,
      target: 1.5, better: 'lower', figure: round(bC / sC),
      summary: `${Math.round(sC)} vs ${Math.round(bC)} requests/s; p99 ${round(median(calls.subject.map((r) => r.latencyMs.p99)))} vs ${round(median(calls.baseline.map((r) => r.latencyMs.p99)))} ms`,
      detail: { subject: calls.subject.map(brief), baseline: calls.baseline.map(brief), roundRatios: calls.subject.map((r, i) => round(calls.baseline[i]!.rps / r.rps)) },
    });
    const left = await full.p.store.outbox.dueHeads(Number.MAX_SAFE_INTEGER, 2 * TENANTS);
    if (left.length < TENANTS) throw new Error(`B9: the parked events changed during the run (${left.length} heads)`);
  } finally {
    await lg.stop();
    await full.close();
    await empty.close();
  }
}
