// LOAD: `eposgate load` at full rate. Full rate on this 2-core machine means open-loop arrivals far
// past what the system can start (10,000/s) with 32 terminals: every terminal is busy all the time,
// so journeys/s is the capacity of the whole path and an arrival that finds no free terminal is
// dropped. Subject: the pay-at-table journey with locks (9 calls: create, search, read, bill, lock,
// pay, replay, pay, release) through a platform in this process to the reference EPOS in its own
// process over WS. Baseline: the same journeys, same terminals, calling a reference EPOS in this
// process directly (no platform, no transport); both restaurants in memory. Interleaved rounds,
// medians; a warm-up run first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startPlatform } from '../packages/eposgate/src/platform/platform.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import { createReferenceEpos } from '../packages/eposgate/src/epos/index.ts';
import { directCaller, platformCaller, type Caller } from '../packages/eposgate/src/load/caller.ts';
import { runLoad, type LoadReport } from '../packages/eposgate/src/load/run.ts';
import { median, round, startChild } from './lib.ts';
import type { Result } from './run.ts';

interface Cfg { warmupMs: number; durationMs: number; rounds: number }
type Report = (r: Omit<Result, 'met'> & { met?: boolean | null }) => void;

const TERMINALS = 32;
const FULL_RATE = 10_000;

async function once(caller: Caller, registered: ReadonlySet<string>, durationMs: number): Promise<LoadReport> {
  return runLoad({ caller, registered, journey: 'pay-at-table', locks: true, terminals: TERMINALS, ratePerSecond: FULL_RATE, durationMs, maxErrorRate: 0.01 });
}

export async function runLoadBench(cfg: Cfg, result: Report, log: (s: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eposgate-bench-load-'));
  const platform = await startPlatform({ dataDir: join(dir, 'platform'), port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), limits: UNLIMITED_RATES });
  const { key } = await platform.keys.create('bench-load', 'sandbox');
  // Both restaurants in memory: with synchronous = FULL on a file, every payment waits for a disk
  // flush, and the baseline (one thread) would measure the disk rather than the platform.
  const epos = startChild('epos-reference.ts', { PLATFORM_URL: platform.url, API_KEY: key, DB_PATH: ':memory:' });
  const direct = createReferenceEpos({ dbPath: ':memory:' });
  const through = platformCaller({ base: platform.url, apiKey: key, softwareHouseId: 'bench-load', connections: TERMINALS, timeoutMs: 15_000 });
  const inProcess = directCaller(direct.epos);
  const registered = new Set(direct.epos.capabilities.map((c) => c.name));
  try {
    await epos.wait('ready');
    // Twice the usual warm-up: the first seconds through the platform still compile its hot paths.
    await once(through, registered, 2 * cfg.warmupMs);
    await once(inProcess, registered, 2 * cfg.warmupMs);
    const rounds: Array<{ platform: LoadReport['summary']; direct: LoadReport['summary']; failures: string[] }> = [];
    for (let i = 0; i < cfg.rounds; i++) {
      const p = await once(through, registered, cfg.durationMs);
      const d = await once(inProcess, registered, cfg.durationMs);
      rounds.push({ platform: p.summary, direct: d.summary, failures: [...p.failures.filter((f) => !f.startsWith('error rate') || p.summary.calls.errors > 0), ...d.failures] });
      log(`  LOAD round ${i + 1}: ${p.summary.journeys.perSecond} vs ${d.summary.journeys.perSecond} journeys/s; p99 ${p.summary.journeys.p99} vs ${d.summary.journeys.p99} ms`);
    }
    const jps = (k: 'platform' | 'direct') => median(rounds.map((r) => r[k].journeys.perSecond));
    const p99 = (k: 'platform' | 'direct') => median(rounds.map((r) => r[k].journeys.p99));
    const callP99 = median(rounds.map((r) => r.platform.calls.p99));
    const ratio = round(jps('platform') / jps('direct'), 3);
    const broken = rounds.flatMap((r) => r.failures);
    result({
      id: 'LOAD', title: 'eposgate load at full rate (pay-at-table with locks, 32 terminals) through the platform vs the same journeys into the reference EPOS in-process',
      figure: ratio, target: 0.2, better: 'higher',
      ...(broken.length ? { met: false } : {}),
      summary: `${round(jps('platform'), 1)} vs ${round(jps('direct'), 1)} journeys/s; journey p99 ${round(p99('platform'), 1)} vs ${round(p99('direct'), 1)} ms; call p99 ${round(callP99, 1)} ms through the platform${broken.length ? `; ${broken.join('; ')}` : ''}`,
      detail: { terminals: TERMINALS, rate: FULL_RATE, journeysPerSecond: { platform: jps('platform'), direct: jps('direct') }, journeyP99Ms: { platform: p99('platform'), direct: p99('direct') }, rounds: rounds.map((r) => ({ platform: { journeys: r.platform.journeys, calls: r.platform.calls }, direct: { journeys: r.direct.journeys, calls: r.direct.calls } })) },
    });
  } finally {
    await through.close();
    direct.close();
    await epos.stop();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
