// B10: the price of durability. Event raises/s and registration PUTs/s over HTTP on a platform whose
// store is durable (synchronous = FULL, group commit) against the same platform with
// synchronous = NORMAL and one transaction per write (what it ran before issue 15); same run,
// interleaved rounds, data dirs on the same disk, the load generator in its own process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startPlatform, type Platform } from '../packages/eposgate/src/platform/platform.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import type { Durability } from '../packages/eposgate/src/platform/store/sqlite/db.ts';
import { median, round, startChild, type LoopResult } from './lib.ts';
import type { LoadSpec, Step } from './loadgen.ts';
import type { Result } from './run.ts';

interface Cfg { warmupMs: number; durationMs: number; rounds: number }
type Report = (r: Omit<Result, 'met'> & { met?: boolean | null }) => void;

/** Enough in flight for group commit to pay off: each fsync is shared by what queued behind it. */
const IN_FLIGHT = 64;
const CAPS_A = JSON.stringify({ capabilities: [{ name: 'GetOrderById', version: 'v1' }, { name: 'SearchOrders', version: 'v1' }] });
const CAPS_B = JSON.stringify({ capabilities: [{ name: 'GetOrderById', version: 'v1' }, { name: 'ListAreas', version: 'v1' }] });
const RAISE = JSON.stringify({ event: 'payment_intent.created', data: { paymentIntentId: 'pi_bench', paymentStatus: 'Created', captureMode: 'Auto' } });

interface Side { p: Platform; dir: string; keys: string[] }

async function side(durability: Durability): Promise<Side> {
  // Under tmpdir() on this machine a real disk (an fsync costs); not a tmpfs, where it would not.
  const dir = mkdtempSync(join(tmpdir(), `eposgate-bench-b10-${durability}-`));
  const p = await startPlatform({ dataDir: dir, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), limits: UNLIMITED_RATES, store: { durability } });
  const keys: string[] = [];
  // One key per loop: each loop alternates between two capability lists, so every PUT writes.
  for (let i = 0; i < IN_FLIGHT; i += 1) keys.push((await p.keys.create(`bench-b10-${i}`, 'sandbox')).key);
  return { p, dir, keys };
}

function raiseSteps(s: Side): Step[][] {
  return [[{ method: 'POST', path: '/epos/data/v1/events', headers: { authorization: `Basic ${s.keys[0]}`, 'software-house-id': 'bench-product', 'content-type': 'application/json' }, body: RAISE }]];
}

function putSteps(s: Side): Step[][] {
  return s.keys.map((key) => {
    const headers = { authorization: `Basic ${key}`, 'software-house-id': 'bench-epos', 'content-type': 'application/json' };
    return [{ method: 'PUT', path: '/epos/integrations/ws', headers, body: CAPS_A }, { method: 'PUT', path: '/epos/integrations/ws', headers, body: CAPS_B }];
  });
}

export async function runB10(cfg: Cfg, report: Report): Promise<void> {
  const durable = await side('full');
  const normal = await side('normal');
  const lg = startChild('loadgen.ts');
  await lg.wait('ready');
  const run = async (s: Side, steps: Step[][]): Promise<LoopResult> =>
    (await lg.ask<{ result: LoopResult }>({ cmd: 'run', origin: s.p.url, concurrency: IN_FLIGHT, steps, warmupMs: cfg.warmupMs, durationMs: cfg.durationMs } satisfies LoadSpec)).result;
  try {
    for (const [id, what, steps] of [
      ['B10-raise', 'POST /epos/data/v1/events (raise)', raiseSteps],
      ['B10-register', 'PUT /epos/integrations/ws (each one a write)', putSteps],
    ] as const) {
      const runs = { baseline: [] as LoopResult[], subject: [] as LoopResult[] };
      for (let r = 0; r < cfg.rounds; r += 1) {
        // Alternate which side goes first (B S, S B, …), as the other benchmarks do.
        const order = r % 2 === 0 ? (['baseline', 'subject'] as const) : (['subject', 'baseline'] as const);
        for (const which of order) runs[which].push(await run(which === 'subject' ? durable : normal, steps(which === 'subject' ? durable : normal)));
      }
      const bad = [...runs.baseline, ...runs.subject].find((x) => x.errors > 0 || x.count === 0);
      if (bad) throw new Error(`${id}: ${bad.errors} errors, ${bad.count} ok (${bad.firstError ?? 'no calls completed'})`);
      const b = median(runs.baseline.map((x) => x.rps));
      const s = median(runs.subject.map((x) => x.rps));
      const p99 = (rs: LoopResult[]) => median(rs.map((x) => x.latencyMs.p99));
      report({
        id, title: `${what}, ${IN_FLIGHT} in flight: synchronous = FULL with group commit vs NORMAL, one transaction per write`,
        target: 0.8, better: 'higher', figure: round(s / b),
        summary: `${Math.round(s)} vs ${Math.round(b)} writes/s; p99 ${round(p99(runs.subject))} vs ${round(p99(runs.baseline))} ms`,
        detail: {
          subject: { medianRps: s, runs: runs.subject.map((x) => ({ rps: x.rps, count: x.count, latencyMs: x.latencyMs })) },
          baseline: { medianRps: b, runs: runs.baseline.map((x) => ({ rps: x.rps, count: x.count, latencyMs: x.latencyMs })) },
          roundRatios: runs.subject.map((x, i) => round(x.rps / runs.baseline[i]!.rps)),
        },
      });
    }
  } finally {
    await lg.stop();
    for (const s of [durable, normal]) {
      await s.p.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
}
