// B7: a product call through a node that does not hold the EPOS socket (forwarded over NATS to the
// node that does) against the same call on the node holding it; same run, interleaved rounds.
// Node A (socket holder) and the EPOS are child processes; node B is this process; the load
// generator is its own process and speaks HTTP to A (baseline) or B (subject).
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import pg from 'pg';
import { startPlatform } from '../packages/eposgate/src/platform/platform.ts';
import { NatsBus } from '../packages/eposgate/src/platform/bus/nats.ts';
import { generateKey } from '../packages/eposgate/src/platform/auth/apiKey.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import { median, round, sleep, startChild, type LoopResult } from './lib.ts';
import type { LoadSpec, Step } from './loadgen.ts';
import type { Result } from './run.ts';

interface Cfg { warmupMs: number; durationMs: number; rounds: number; latWarmupMs: number; latDurationMs: number }
type Report = (r: Omit<Result, 'met'> & { met?: boolean | null }) => void;

const IN_FLIGHT = 64;
const NATS_URL = process.env.EPOSGATE_NATS_URL ?? 'nats://127.0.0.1:4222';
/** The nodes share one fresh schema of this database (a cluster needs the PostgreSQL store). */
const DATABASE_URL = process.env.EPOSGATE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

export async function runB7(cfg: Cfg, result: Report): Promise<void> {
  const prefix = `b7${randomBytes(3).toString('hex')}`;
  const account = 'bench-b7';
  const key = generateKey('sandbox');
  const u = new URL(DATABASE_URL);
  u.searchParams.set('schema', prefix);
  const database = u.toString();
  const secretKey = randomBytes(32).toString('base64');
  const bus = await NatsBus.connect({ url: NATS_URL, nodeId: 'B', prefix });
  const b = await startPlatform({ database, secretKey, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), bus, rateLimit: { perSecond: 1e9, burst: 1e9 }, limits: UNLIMITED_RATES });
  // Key and registration once, in the shared store, before node A starts on it.
  const { record } = await b.keys.create(account, 'sandbox', { key });
  await b.registry.put({ accountId: account, env: 'sandbox', keyId: record.id, softwareHouseId: 'bench' }, 'ws', { capabilities: [{ name: 'GetOrderById', version: 'v1' }] });
  const nodeA = startChild('cluster-node.ts', { NATS_URL, NODE_ID: 'A', NATS_PREFIX: prefix, DATABASE_URL: database, EPOSGATE_SECRET_KEY: secretKey });
  const { url: aUrl } = await nodeA.wait<{ url: string }>('ready');
  const epos = startChild('epos-ws.ts', { PLATFORM_URL: aUrl, API_KEY: key });
  const lg = startChild('loadgen.ts');
  try {
    await Promise.all([epos.wait('ready'), lg.wait('ready')]);
    for (let i = 0; !bus.presence.holders(`sandbox:${account}`).includes('A'); i += 1) {
      if (i > 200) throw new Error('B7: node B never learnt that node A holds the socket');
      await sleep(10);
    }
    // The first call compiles the contract's validators on every side (seconds): not measured.
    for (const origin of [aUrl, b.url]) {
      const res = await fetch(`${origin}/epos/data/v1/orders/ord-1`, { headers: { authorization: `Basic ${key}`, 'software-house-id': 'bench-product' } });
      if (res.status !== 200) throw new Error(`B7: the first call on ${origin} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      await res.arrayBuffer().catch(() => undefined);
    }
    const step: Step = { method: 'GET', path: '/epos/data/v1/orders/ord-1', headers: { authorization: `Basic ${key}`, 'software-house-id': 'bench-product' } };
    // CPU time of both nodes per completed call: unlike calls/s, it does not depend on how busy
    // the rest of the machine is. (The NATS server's own share is not counted.)
    const cpuOf = async () => (await nodeA.ask<{ cpuUs: number }>({ cmd: 'cpu' })).cpuUs + process.cpuUsage().user + process.cpuUsage().system;
    const cpuPerCall = { local: [] as number[], remote: [] as number[] };
    const run = async (origin: string, concurrency: number, warmupMs: number, durationMs: number) => {
      const before = await cpuOf();
      const r = (await lg.ask<{ result: LoopResult }>({ cmd: 'run', origin, concurrency, steps: [[step]], warmupMs, durationMs } satisfies LoadSpec)).result;
      const used = (await cpuOf()) - before;
      // Warm-up calls used CPU too: counted at the measured rate over the warm-up time.
      const calls = r.count * (warmupMs + durationMs) / durationMs;
      if (concurrency > 1) cpuPerCall[origin === aUrl ? 'local' : 'remote'].push(round(used / calls, 0));
      return r;
    };
    const rounds = async (concurrency: number, warmupMs: number, durationMs: number) => {
      const out = { local: [] as LoopResult[], remote: [] as LoopResult[] };
      for (let r = 0; r < cfg.rounds; r += 1) {
        const order = r % 2 === 0 ? ['local', 'remote'] as const : ['remote', 'local'] as const;
        for (const side of order) out[side].push(await run(side === 'local' ? aUrl : b.url, concurrency, warmupMs, durationMs));
      }
      for (const rs of [out.local, out.remote]) {
        const bad = rs.find((x) => x.errors > 0 || x.count === 0);
        if (bad) throw new Error(`B7 ${rs === out.local ? 'local' : 'remote'}: ${bad.errors} errors, ${bad.count} ok (${bad.firstError ?? 'no calls completed'})`);
      }
      return out;
    };
    const tput = await rounds(IN_FLIGHT, cfg.warmupMs, cfg.durationMs);
    const l = median(tput.local.map((x) => x.rps));
    const r = median(tput.remote.map((x) => x.rps));
    result({
      id: 'B7', title: `HTTP GET order on a node without the socket (forwarded over NATS) vs on the node holding it, ${IN_FLIGHT} connections: throughput`,
      target: 0.5, better: 'higher', figure: round(r / l),
      summary: `${Math.round(r)} vs ${Math.round(l)} calls/s; CPU of both nodes per call ${median(cpuPerCall.remote)} vs ${median(cpuPerCall.local)} µs`,
      detail: { remoteRps: tput.remote.map((x) => x.rps), localRps: tput.local.map((x) => x.rps), cpuUsPerCall: cpuPerCall },
    });
    const lat = await rounds(1, cfg.latWarmupMs, cfg.latDurationMs);
    const lp = median(lat.local.map((x) => x.latencyMs.p50));
    const rp = median(lat.remote.map((x) => x.latencyMs.p50));
    result({
      id: 'B7-latency', title: 'same, 1 connection: p50 added by the forward (ms)', target: 0.5, better: 'lower',
      figure: round(rp - lp, 3), summary: `p50 ${round(rp, 3)} vs ${round(lp, 3)} ms`,
      detail: { remote: lat.remote.map((x) => x.latencyMs), local: lat.local.map((x) => x.latencyMs) },
    });
  } finally {
    await Promise.all([epos.stop(), lg.stop()]);
    await nodeA.stop();
    await b.close();
    await dropSchema(prefix);
  }
}
