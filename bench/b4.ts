// B4: the wall time of `eposgate test` (every flow that applies) run as a separate process against
// a platform with the reference EPOS connected over WebSocket from a third process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startPlatform } from '../packages/eposgate/src/platform/platform.ts';
import { BENCH_DIR, median, round, startChild } from './lib.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';

interface Report { flows: { flow: string; result: { status: string; startedAt?: string; finishedAt?: string } }[]; skipped: unknown[] }

/**
 * `only`: the flow names to run (`--flow` each); all that apply when omitted. `args`: more CLI arguments.
 */
export async function runB4(quick: boolean, only: readonly string[] = [], args: readonly string[] = []): Promise<{ ok: boolean; seconds: number; summary: string; detail: Record<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), 'eposgate-bench-b4-'));
  const platform = await startPlatform({ dataDir: join(dir, 'platform'), port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), rateLimit: { perSecond: 1e9, burst: 1e9 }, limits: UNLIMITED_RATES });
  const { key } = await platform.keys.create('bench-b4', 'sandbox');
  const epos = startChild('epos-reference.ts', { PLATFORM_URL: platform.url, API_KEY: key, DB_PATH: join(dir, 'reference.db') });
  try {
    await epos.wait('ready');
    const runs: { seconds: number; ok: boolean; flows: number; succeeded: number; failed: string[]; stderr?: string }[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i += 1) {
      const json = join(dir, `report-${i}.json`);
      const t0 = performance.now();
      const code = await new Promise<{ code: number; stderr: string; stdout: string }>((resolve) => {
        execFile(process.execPath, [join(BENCH_DIR, '..', 'bin', 'eposgate'), 'test', '--platform', platform.url, '--api-key', key, '--json', json, ...only.flatMap((f) => ['--flow', f]), ...args],
          { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
          (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr, stdout }));
      });
      const seconds = (performance.now() - t0) / 1000;
      let report: Report | undefined;
      try { report = JSON.parse(readFileSync(json, 'utf8')) as Report; } catch { /* no report */ }
      const flows = report?.flows ?? [];
      runs.push({
        seconds: round(seconds), ok: code.code === 0, flows: flows.length,
        succeeded: flows.filter((f) => f.result.status === 'SUCCESS').length,
        failed: flows.filter((f) => f.result.status !== 'SUCCESS').map((f) => `${f.flow}: ${f.result.status}`),
        ...(code.code !== 0 ? { stderr: (code.stderr || code.stdout).slice(-1500) } : {}),
      });
    }
    const seconds = median(runs.map((r) => r.seconds));
    const last = runs[runs.length - 1]!;
    return {
      ok: runs.every((r) => r.ok), seconds: round(seconds),
      summary: `${last.succeeded}/${last.flows} flows succeeded (median of ${runs.length} runs; CLI process start included)`,
      detail: { runs },
    };
  } finally {
    await epos.stop();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
