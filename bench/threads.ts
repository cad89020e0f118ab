// Profiling aid: B2's sides one after another, with this process's CPU split into the main
// thread, the call log's writer and the rest (V8's GC helpers, libuv's pool), and the child
// processes' (load generator, EPOS) beside it, from /proc, per request served; medians at the end:
//   node --conditions=eposgate-source --import tsx bench/threads.ts [seconds] [rounds]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startPlatform, type Platform } from '../packages/eposgate/src/platform/platform.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import { floorGateway } from './floor.ts';
import { median, procStat, startChild, type LoopResult } from './lib.ts';

const seconds = Number(process.argv[2] ?? 4);
const rounds = Number(process.argv[3] ?? 2);
/** CPU µs (user and system) so far of the main thread, the call log's writer and all the other threads (GC helpers, libuv pool). */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const t = procStat(`/proc/self/task/${tid}/stat`);
    if (!t) continue;
    // Node 20 names every thread "node": the main thread is the one whose id is the process's;
    // the call log's writer names itself.
    const comm = Number(tid) === process.pid ? 'main' : t.name === 'eposgate-calls' ? 'call log writer' : 'other threads';
    out.set(`${comm} user`, (out.get(`${comm} user`) ?? 0) + t.user);
    out.set(`${comm} system`, (out.get(`${comm} system`) ?? 0) + t.system);
  }
  return out;
}

/** CPU µs (user and system) of this process's child processes (the load generator, the EPOSes) so far. */
function childrenCpu(): number {
  let us = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const p = procStat(`/proc/${pid}/stat`);
    if (p?.ppid === process.pid) us += p.user + p.system;
  }
  return us;
}

async function platformSide(callLog: boolean): Promise<{ url: string; key: string; p: Platform; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eposgate-threads-'));
  const p = await startPlatform({ dataDir, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), rateLimit: { perSecond: 1e9, burst: 1e9 }, limits: UNLIMITED_RATES, callLog });
  const { key, record } = await p.keys.create('threads', 'sandbox');
  await p.registry.put({ accountId: 'threads', env: 'sandbox', keyId: record.id, softwareHouseId: 'b' }, 'ws', { capabilities: [{ name: 'GetOrderById', version: 'v1' }] });
  const epos = startChild('epos-ws.ts', { PLATFORM_URL: p.url, API_KEY: key });
  await epos.wait('ready');
  return { url: p.url, key, p, async close() { await epos.stop(); await p.close(); rmSync(dataDir, { recursive: true, force: true }); } };
}

const on = await platformSide(true);
const off = await platformSide(false);
const floor = await floorGateway();
const lg = startChild('loadgen.ts');
await lg.wait('ready');
const sides = { on: on.url, off: off.url, floor: floor.url } as const;
const served = { n: 0 };
for (const s of [on.p.app.server, off.p.app.server, floor.server]) s.on('request', () => { served.n++; });
const bySide: Record<string, { serving: number; all: number; rps: number }[]> = {};
for (let r = 0; r < rounds; r++) {
  for (const [side, origin] of Object.entries(sides)) {
    const key = side === 'off' ? off.key : on.key;
    const headers = { authorization: `Basic ${key}`, 'software-house-id': 'b' };
    const n0 = served.n;
    const t0 = threadCpu();
    const k0 = childrenCpu();
    const res = (await lg.ask<{ result: LoopResult }>({ cmd: 'run', origin, concurrency: 64, steps: [[{ method: 'GET', path: '/epos/data/v1/orders/ord-1', headers }]], warmupMs: 1000, durationMs: seconds * 1000 })).result;
    if (side === 'on') await on.p.callLog?.flush();
    const t1 = threadCpu();
    const kids = (childrenCpu() - k0) / (served.n - n0);
    const n = served.n - n0;
    const parts = [...t1].map(([k, v]) => [k, (v - (t0.get(k) ?? 0)) / n] as const).filter(([, v]) => v > 0.05).sort((a, b) => b[1] - a[1]);
    const total = parts.reduce((a, [, v]) => a + v, 0);
    (bySide[side] ??= []).push({ serving: total, all: total + kids, rps: res.rps });
    console.log(`${side.padEnd(5)} ${String(Math.round(res.rps)).padStart(6)}/s errors ${res.errors}  µs/req total ${total.toFixed(1)}: ${parts.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}; children (load generator, EPOS) ${kids.toFixed(1)}, all ${(total + kids).toFixed(1)}`);
  }
}
// Rounds of one side spread widely on a shared machine: the medians are the figures to compare.
for (const [side, v] of Object.entries(bySide)) {
  console.log(`median ${side.padEnd(5)} ${String(Math.round(median(v.map((x) => x.rps)))).padStart(6)}/s  µs/req serving process ${median(v.map((x) => x.serving)).toFixed(1)}, all processes ${median(v.map((x) => x.all)).toFixed(1)}`);
}
await lg.stop();
await floor.close();
await on.close();
await off.close();
