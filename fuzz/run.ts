// `npm run fuzz [-- --seed N --runs N --concurrency N --rss-mb N --surface NAME]`: a seeded, bounded
// fuzzer. The platform runs in a child process (fuzz/platform.ts); each HTTP surface gets `runs`
// mutated requests and the WS surface `runs` mutated frames. It prints the status distribution per
// surface and exits 1 on any undocumented 5xx, a crash, a hang (no answer within --hang-ms) or
// the child's RSS growing more than --rss-mb over the run.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { samples } from './arbitraries.ts';
import { count, describeRequest, emptyTally, FuzzClient, lanes, settle, type Failure, type Tally } from './client.ts';
import type { ChildMessage, FuzzKeys } from './platform.ts';
import { HTTP_SURFACES } from './surfaces.ts';
import { runWsFrames } from './wsFrames.ts';

export interface FuzzOptions {
  seed: number;
  /** Requests per HTTP surface, and frames on the WS surface. */
  runs: number;
  concurrency?: number;
  /** Bound on the platform's RSS growth over the run, MB. */
  rssBoundMb?: number;
  /** A request without an answer this long is a hang, ms. */
  hangMs?: number;
  /** Only these surfaces (registration, data, events, tester, auth, ws-frames). */
  surfaces?: string[];
  log?: (line: string) => void;
}

export interface SurfaceReport extends Tally {
  surface: string;
  ms: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  extra?: Record<string, unknown>;
}

export interface FuzzResult {
  seed: number;
  reports: SurfaceReport[];
  failures: Failure[];
  /** Failures seen, including those not kept in `failures` (the first 50 are). */
  failureCount: number;
}

class Child {
  readonly proc: ChildProcess;
  exited?: string;
  private rssWaiters: ((rss: number) => void)[] = [];

  constructor() {
    this.proc = fork(fileURLToPath(new URL('./platform.ts', import.meta.url)), [], {
      execArgv: ['--conditions=eposgate-source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: ChildMessage) => {
      if (m.type === 'rss') this.rssWaiters.shift()?.(m.rss);
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = `the platform process exited (code ${code}, signal ${signal})`;
      for (const w of this.rssWaiters.splice(0)) w(NaN);
    });
  }

  async ready(): Promise<{ url: string; keys: FuzzKeys }> {
    for (;;) {
      const [m] = (await Promise.race([once(this.proc, 'message'), once(this.proc, 'exit').then(() => { throw new Error(this.exited); })])) as [ChildMessage];
      if (m.type === 'ready') return m;
    }
  }

  /** The child's RSS, MB (NaN once it is gone). */
  rssMb(): Promise<number> {
    if (this.exited) return Promise.resolve(NaN);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(NaN), 10_000);
      this.rssWaiters.push((rss) => { clearTimeout(t); resolve(rss / 1024 / 1024); });
      this.proc.send({ type: 'rss' });
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = once(this.proc, 'exit');
    this.proc.disconnect();
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const log = o.log ?? (() => {});
  const concurrency = o.concurrency ?? 16;
  const hangMs = o.hangMs ?? 15_000;
  const rssBound = o.rssBoundMb ?? 300;
  const wanted = (s: string) => !o.surfaces || o.surfaces.includes(s);
  const failures: Failure[] = [];
  let failureCount = 0;
  const fail = (f: Failure) => {
    failureCount += 1;
    if (failures.length < 50) failures.push(f);
  };
  const child = new Child();
  const reports: SurfaceReport[] = [];
  let client: FuzzClient | undefined;
  try {
    const { url, keys } = await child.ready();
    client = new FuzzClient(url, concurrency, hangMs);
    const flowsRes = await client.send({ method: 'GET', path: '/epos-tester-tool/flows', headers: { authorization: `Basic ${keys.data}`, 'software-house-id': 'fuzz-till' } });
    const flows = (JSON.parse(flowsRes?.text ?? '[]') as { name: string }[]).map((f) => f.name);
    const rss0 = await child.rssMb();
    log(`fuzz seed ${o.seed}, ${o.runs} per surface, concurrency ${concurrency}; platform ${url}, RSS ${rss0.toFixed(0)} MB`);
    const crashed = () => child.exited !== undefined;

    for (const surface of HTTP_SURFACES) {
      if (!wanted(surface.name) || crashed()) continue;
      const t = emptyTally();
      const retried0 = client.retried;
      const before = await child.rssMb();
      const t0 = performance.now();
      const it = samples(surface.requests(keys, { flows }), o.seed, o.runs);
      await lanes(concurrency, () => it.next(), async (r, i) => {
        const t1 = performance.now();
        try {
          const s = await client!.send(r);
          if (!s) { t.clientRefused += 1; return; }
          count(t, s, performance.now() - t1, r);
          if (s.status >= 500 && !surface.allowed5xx?.(s.status, s.json)) {
            fail({ surface: surface.name, index: i, kind: '5xx', request: describeRequest(r), response: `${s.status} ${s.text.slice(0, 500)}` });
          }
        } catch (err) {
          if (crashed()) return;
          fail({ surface: surface.name, index: i, kind: (err as { kind?: Failure['kind'] }).kind ?? 'connection', request: describeRequest(r), response: (err as Error).message });
        }
      }, crashed);
      t.retried = client.retried - retried0;
      reports.push({ surface: surface.name, ...settle(t), ms: Math.round(performance.now() - t0), rssBeforeMb: before, rssAfterMb: await child.rssMb() });
      log(line(reports.at(-1)!));
    }

    if (wanted('ws-frames') && !crashed()) {
      const before = await child.rssMb();
      const t0 = performance.now();
      const retried0 = client.retried;
      const w = await runWsFrames({ url, keys, client, seed: o.seed, frames: o.runs, concurrency: Math.max(concurrency, 32), fail, stopped: crashed });
      const { frames, framesByKind, closeCodes, ...t } = w;
      t.retried = client.retried - retried0;
      reports.push({ surface: 'ws-frames', ...settle(t), ms: Math.round(performance.now() - t0), rssBeforeMb: before, rssAfterMb: await child.rssMb(), extra: { frames, framesByKind, closeCodes } });
      log(line(reports.at(-1)!));
    }

    if (crashed()) {
      fail({ surface: 'platform', index: -1, kind: 'crash', request: `in flight: ${[...client.inFlight].map(describeRequest).join('\n    ') || 'none'}\n  last sent:\n    ${client.recent.map(describeRequest).join('\n    ')}`, response: child.exited! });
    } else {
      const healthy = await client.send({ method: 'GET', path: '/healthz', headers: {} }).catch((e: Error) => ({ status: 0, text: e.message }));
      if (healthy?.status !== 200) fail({ surface: 'platform', index: -1, kind: 'hang', request: 'GET /healthz after the run', response: `${healthy?.status} ${healthy?.text}` });
      const rss1 = await child.rssMb();
      if (rss1 - rss0 > rssBound) fail({ surface: 'platform', index: -1, kind: 'rss', request: `RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MB`, response: `grew more than ${rssBound} MB` });
      log(`RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MB (bound +${rssBound} MB)`);
    }
  } finally {
    await client?.close();
    await child.stop();
  }
  return { seed: o.seed, reports, failures, failureCount };
}

function line(r: SurfaceReport): string {
  const statuses = Object.entries(r.statuses).sort().map(([s, n]) => `${s}:${n}`).join(' ');
  const extra = r.extra ? ` ${JSON.stringify(r.extra)}` : '';
  return `${r.surface.padEnd(13)} ${String(r.requests).padStart(6)} req ${String(r.ms).padStart(6)} ms  p99 ${r.p99Ms} ms max ${r.maxMs} ms  RSS ${r.rssBeforeMb.toFixed(0)}→${r.rssAfterMb.toFixed(0)} MB  [${statuses}]${r.clientRefused ? ` client-refused:${r.clientRefused}` : ''}${r.retried ? ` retried:${r.retried}` : ''}${r.offShape ? ` off-shape errors:${r.offShape} (first: ${r.offShapeExample})` : ''}${extra}`;
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const seed = Number(arg(argv, 'seed') ?? Math.floor(Math.random() * 2 ** 31));
  const runs = Number(arg(argv, 'runs') ?? 10_000);
  const surfaces = argv.flatMap((a, i) => (a === '--surface' ? [argv[i + 1]!] : []));
  const result = await runFuzz({
    seed, runs,
    concurrency: Number(arg(argv, 'concurrency') ?? 16),
    rssBoundMb: Number(arg(argv, 'rss-mb') ?? 300),
    hangMs: Number(arg(argv, 'hang-ms') ?? 15_000),
    ...(surfaces.length ? { surfaces } : {}),
    log: (l) => console.log(l),
  });
  console.log(JSON.stringify({ seed: result.seed, reports: result.reports }, null, 1));
  for (const f of result.failures) console.log(`FAIL [${f.surface} #${f.index} ${f.kind}]\n  request:  ${f.request}\n  response: ${f.response}`);
  console.log(result.failureCount ? `${result.failureCount} failure(s); rerun with --seed ${seed}` : `no failures (seed ${seed})`);
  return result.failureCount ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
}
