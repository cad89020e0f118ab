// Shared helpers of the benchmarks: child processes spoken to over IPC, latency statistics,
// closed-loop drivers (N concurrent loops until a deadline) and the realistic payload.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { ORDER } from '../test/fixtures/contract.ts';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** The order every EPOS (and every baseline) answers with: the fixture's realistic order. */
export function orderFor(orderId: string): Record<string, unknown> {
  return { ...ORDER, id: orderId };
}

export const GET_ORDER_PARAMS = { orderId: 'ord-1' } as const;

// ── CPU from /proc (Linux) ──────────────────────────────────────────────────────────────────────

const TICK_US = 1e6 / 100; // USER_HZ

/** A /proc stat line's name, parent pid and CPU µs (user, system); undefined once the task ended. */
export function procStat(path: string): { name: string; ppid: number; user: number; system: number } | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(f[1]), user: Number(f[11]) * TICK_US, system: Number(f[12]) * TICK_US };
  } catch {
    return undefined;
  }
}

/**
 * CPU µs (user and system) so far of this process's main thread, the call log's writer (which
 * names itself) and all its other threads (GC helpers, libuv's pool). Node 20 names every thread
 * "node": the main thread is the one whose id is the process's.
 */
export function threadCpuUs(): { main: number; writer: number; other: number } {
  const out = { main: 0, writer: 0, other: 0 };
  for (const tid of readdirSync('/proc/self/task')) {
    const t = procStat(`/proc/self/task/${tid}/stat`);
    if (t) out[Number(tid) === process.pid ? 'main' : t.name === 'eposgate-calls' ? 'writer' : 'other'] += t.user + t.system;
  }
  return out;
}

// ── statistics ──────────────────────────────────────────────────────────────────────────────────

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencySummary { p50: number; p90: number; p99: number; max: number; n: number }

export function summarise(samples: number[]): LatencySummary {
  const s = Float64Array.from(samples).sort();
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: r(percentile(s, 50)), p90: r(percentile(s, 90)), p99: r(percentile(s, 99)), max: r(s[s.length - 1] ?? NaN), n: s.length };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

// ── closed-loop driver ──────────────────────────────────────────────────────────────────────────

export interface LoopResult {
  /** Completed calls per second in the measured window. */
  rps: number;
  count: number;
  errors: number;
  firstError?: string;
  latencyMs: LatencySummary;
  elapsedMs: number;
}

/**
 * Runs `concurrency` loops, each awaiting `call()` back to back: first for `warmupMs` (not
 * counted), then for `durationMs` (counted, with per-call latency).
 */
export async function closedLoop(call: (loop: number) => Promise<unknown>, concurrency: number, warmupMs: number, durationMs: number): Promise<LoopResult> {
  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  let count = 0;
  let errors = 0;
  let firstError: string | undefined;
  const lat: number[] = [];
  const loop = async (i: number) => {
    while (phase !== 'stop') {
      const t0 = performance.now();
      let ok = true;
      try {
        await call(i);
      } catch (e) {
        ok = false;
        if (phase === 'measure') {
          errors += 1;
          firstError ??= e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        }
      }
      if (phase === 'measure' && ok) {
        count += 1;
        lat.push(performance.now() - t0);
      }
    }
  };
  const loops = Array.from({ length: concurrency }, (_, i) => loop(i));
  await sleep(warmupMs);
  phase = 'measure';
  const start = performance.now();
  await sleep(durationMs);
  const elapsedMs = performance.now() - start;
  // Calls still in flight when the window closes finish after it: they are not counted.
  const finalCount = count;
  const finalErrors = errors;
  const finalLat = lat.slice(0, finalCount);
  phase = 'stop';
  await Promise.all(loops);
  return {
    rps: round(finalCount / (elapsedMs / 1000), 1),
    count: finalCount,
    errors: finalErrors,
    ...(firstError ? { firstError } : {}),
    latencyMs: summarise(finalLat),
    elapsedMs: Math.round(elapsedMs),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ── child processes over IPC ────────────────────────────────────────────────────────────────────

export interface Child {
  proc: ChildProcess;
  /** Sends a message and resolves with the next message whose `re` equals its `cmd`. */
  ask<T = Record<string, unknown>>(msg: { cmd: string } & Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Resolves with the first message of type `type` (e.g. `ready`). */
  wait<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });

/**
 * Starts `bench/<script>` with `node --import tsx` and an IPC channel. `fdLimit` runs it through
 * `bash -c 'ulimit -n N; exec node …'` to raise its soft open-files limit.
 */
export function startChild(script: string, env: Record<string, string> = {}, opts: { fdLimit?: number; nodeArgs?: string[] } = {}): Child {
  const file = join(BENCH_DIR, script);
  // BENCH_PROFILE_DIR=DIR: every child writes a CPU profile there (NODE_OPTIONS may not carry --cpu-prof).
  const prof = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const nodeArgs = ['--conditions=eposgate-source', '--import', 'tsx', ...prof, ...(opts.nodeArgs ?? [])];
  const childEnv = { ...process.env, ...env };
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'] as const;
  const proc = opts.fdLimit
    ? spawn('bash', ['-c', `ulimit -n ${opts.fdLimit} && exec "$0" "$@"`, process.execPath, ...nodeArgs, file], { env: childEnv, stdio: [...stdio] })
    : fork(file, [], { execArgv: nodeArgs, env: childEnv, stdio: [...stdio] });
  children.add(proc);
  const exited = new Promise<void>((r) => proc.once('exit', () => { children.delete(proc); r(); }));
  const next = <T>(pred: (m: Record<string, unknown>) => boolean, what: string, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onMsg = (m: unknown) => {
        const msg = m as Record<string, unknown>;
        if (msg.type === 'fatal') { cleanup(); reject(new Error(`${script}: ${String(msg.error)}`)); return; }
        if (pred(msg)) { cleanup(); resolve(msg as T); }
      };
      const onExit = (code: number | null) => { cleanup(); reject(new Error(`${script} exited (${code}) while waiting for ${what}`)); };
      const timer = setTimeout(() => { cleanup(); reject(new Error(`${script}: no ${what} within ${timeoutMs} ms`)); }, timeoutMs);
      const cleanup = () => { clearTimeout(timer); proc.off('message', onMsg); proc.off('exit', onExit); };
      proc.on('message', onMsg);
      proc.once('exit', onExit);
    });
  return {
    proc,
    ask: (msg, timeoutMs = 120_000) => {
      const p = next<never>((m) => m.re === msg.cmd, `answer to ${msg.cmd}`, timeoutMs);
      proc.send(msg);
      return p;
    },
    wait: (type, timeoutMs = 60_000) => next((m) => m.type === type, type, timeoutMs),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** In a child: answers `cmd` messages with `handler`, reporting failures as `fatal`. */
export function serveParent(handler: (msg: Record<string, unknown>) => Promise<Record<string, unknown>>): void {
  process.on('message', (m) => {
    const msg = m as Record<string, unknown>;
    handler(msg).then(
      (out) => process.send?.({ re: msg.cmd, ...out }),
      (err: unknown) => process.send?.({ type: 'fatal', error: err instanceof Error ? err.stack ?? err.message : String(err) }),
    );
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}

export function fatal(err: unknown): never {
  process.send?.({ type: 'fatal', error: err instanceof Error ? err.stack ?? err.message : String(err) });
  setTimeout(() => process.exit(1), 100);
  throw err;
}

/** RSS and heap after two full GCs (needs --expose-gc). */
export async function settledMemory(): Promise<{ rss: number; heapUsed: number; external: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i += 1) {
    gc?.();
    await sleep(200);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
}
