// B2's sides A/B, for a change too small for `npm run bench -- --only B2` to resolve: each side in
// a fresh process per round (bench/b2-side.ts), the order rotating, medians of throughput and of
// CPU µs a request by thread, plus the load generator's CPU and the whole machine's (/proc/stat).
// A side may come from another checkout of the code, e.g. a git worktree of the commit before:
//
//   git worktree add --detach /tmp/before HEAD~1 && ln -s "$PWD/node_modules" /tmp/before/node_modules
//   B2_AB_SIDES=off,off@/tmp/before,on,on@/tmp/before npm run bench:ab
//
// (`@DIR` runs DIR/bench/b2-side.ts; workspace packages still resolve to this checkout's.) A side
// may name node flags for its process, each after a `~`: `off~--single-threaded-gc`.
// Env: B2_AB_SIDES (default off,on,floor), B2_AB_ROUNDS (7), B2_AB_WARMUP_MS (2000), B2_AB_MS (4000),
// B2_AB_VERBOSE (each round's figures as it ends).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { BENCH_DIR, median, procStat, round, sleep, startChild } from './lib.ts';

const sides = (process.env.B2_AB_SIDES ?? 'off,on,floor').split(',');
const rounds = Number(process.env.B2_AB_ROUNDS ?? 7);
const warmupMs = Number(process.env.B2_AB_WARMUP_MS ?? 2000);
const durationMs = Number(process.env.B2_AB_MS ?? 4000);

/** Jiffies the whole machine spent busy, and in all, so far. */
function machine(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total }; // less idle and iowait
}

const lg = startChild('loadgen.ts');
await lg.wait('ready');
const figures: Record<string, Record<string, number[]>> = {};
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < sides.length; i++) {
    const spec = sides[(i + r) % sides.length]!;
    const [name, dir] = spec.split('@');
    const [side, ...nodeArgs] = name!.split('~');
    const child = startChild(dir ? relative(BENCH_DIR, join(dir, 'bench', 'b2-side.ts')) : 'b2-side.ts', { SIDE: side! }, { nodeArgs });
    try {
      const { url, key } = await child.wait<{ url: string; key: string }>('ready');
      const step = { method: 'GET', path: '/epos/data/v1/orders/ord-1', headers: { authorization: `Basic ${key}`, 'software-house-id': 'bench-product' } };
      const running = lg.ask<{ result: { rps: number } }>({ cmd: 'run', origin: url, concurrency: 64, steps: [[step]], warmupMs, durationMs });
      running.catch(() => undefined); // awaited below
      await sleep(warmupMs);
      await child.ask({ cmd: 'mark' });
      const m0 = machine();
      const l0 = procStat(`/proc/${lg.proc.pid}/stat`)!;
      const { rps } = (await running).result;
      const m1 = machine();
      const l1 = procStat(`/proc/${lg.proc.pid}/stat`)!;
      const cpu = await child.ask<{ threads: Record<string, number>; served: number }>({ cmd: 'cpu' });
      await child.ask({ cmd: 'close' });
      const add = (k: string, v: number) => ((figures[spec] ??= {})[k] ??= []).push(v);
      add('calls/s', rps);
      for (const t of ['main', 'writer', 'other', 'epos', 'gcMinor', 'gcMajor']) add(`${t} µs`, cpu.threads[t] ?? 0);
      add('loadgen µs', (l1.user + l1.system - l0.user - l0.system) / Math.max(1, cpu.served));
      add('cores busy', ((m1.busy - m0.busy) / (m1.total - m0.total)) * availableParallelism());
      if (process.env.B2_AB_VERBOSE) {
        console.log(`round ${r} ${spec}: ${Math.round(rps)} calls/s`, Object.entries(cpu.threads).map(([k, v]) => `${k} ${round(v, 1)}`).join(' '));
      }
    } finally {
      await child.stop();
    }
  }
}
await lg.stop();
for (const [spec, f] of Object.entries(figures)) {
  console.log(spec.padEnd(20), Object.entries(f).map(([k, v]) => `${k} ${round(median(v), k === 'calls/s' ? 0 : 2)}`).join('  '));
}
for (const [spec, f] of Object.entries(figures)) console.log(spec.padEnd(20), 'calls/s by round', f['calls/s']!.map(Math.round).join(' '));
