// One side of B2 in a process of its own (env SIDE): `memory` (fastify answering the order from
// memory), `on` / `off` (the platform with its call log on or off, and an SDK EPOS process over WS),
// or `floor` (bench/floor.ts). Each side gets its own heap, so no side's GC state, call-log writer
// or retention run lands in another's rounds (BENCHMARKS.md, tenth pass).
// Sends {type:'ready', url, key}; answers `mark` (starts counting), `cpu` (CPU µs per request
// served since `mark`, the call log's writes of the window included) and `close`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import pino from 'pino';
import { startPlatform, type Platform } from '../packages/eposgate/src/platform/platform.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import { fatal, orderFor, procStat, serveParent, startChild, threadCpuUs, type Child } from './lib.ts';
import { fastifyBaseline, floorGateway, type BaselineServer } from './floor.ts';

const side = process.env.SIDE ?? '';
let server: BaselineServer['server'];
let url: string;
let key = '';
let platform: Platform | undefined;
let epos: Child | undefined;
let close: () => Promise<void>;
let floorEposPid: number | undefined;

try {
  if (side === 'on' || side === 'off') {
    const dataDir = mkdtempSync(join(tmpdir(), 'eposgate-bench-b2-'));
    const p = await startPlatform({
      dataDir, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }),
      // The benchmark measures throughput, not the per-key rate limit (1000/s by default).
      rateLimit: { perSecond: 1e9, burst: 1e9 }, callLog: side === 'on',
      // The tenant passes its call-log cap within the first round and retention prunes it every
      // second, so the window pays for a capped tenant's steady state, not only for the inserts.
      limits: { ...UNLIMITED_RATES, callLogPerTenant: 20_000, retentionIntervalMs: 1000 },
    });
    const created = await p.keys.create(`bench-b2-${side}`, 'sandbox');
    await p.registry.put({ accountId: `bench-b2-${side}`, env: 'sandbox', keyId: created.record.id, softwareHouseId: 'bench' }, 'ws',
      { capabilities: [{ name: 'GetOrderById', version: 'v1' }] });
    epos = startChild('epos-ws.ts', { PLATFORM_URL: p.url, API_KEY: created.key });
    await epos.wait('ready');
    await p.warmup.idle();
    platform = p;
    ({ url } = p);
    key = created.key;
    server = p.app.server;
    close = async () => {
      await epos?.stop();
      await p.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  } else if (side === 'memory' || side === 'floor') {
    const s = side === 'floor'
      ? await floorGateway()
      : await fastifyBaseline((app) => {
        app.get<{ Params: { orderId: string } }>('/epos/data/v1/orders/:orderId', async (req) => orderFor(req.params.orderId));
      });
    ({ url, server } = s);
    floorEposPid = s.eposPid;
    close = () => s.close();
  } else {
    throw new Error(`SIDE must be memory, on, off or floor, not "${side}"`);
  }
} catch (err) {
  fatal(err);
}

/** CPU µs so far of this process's threads (main, the call log's writer, the rest) and of the EPOS process. */
function cpuNow(): Record<string, number> {
  const e = epos?.proc.pid ?? floorEposPid;
  const p = e ? procStat(`/proc/${e}/stat`) : undefined;
  return { ...threadCpuUs(), epos: p ? p.user + p.system : 0 };
}

let served = 0;
server!.on('request', () => { served += 1; });

// Time the main thread spent in GC pauses (scavenges, and the rest), for `cpu`'s answer.
const gcMs = { minor: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcMs.minor += e.duration;
    else gcMs.major += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
let gcMark = { ...gcMs };
let mark = { served: 0, cpu: process.cpuUsage(), threads: cpuNow() };

serveParent(async (msg) => {
  if (msg.cmd === 'mark') {
    mark = { served, cpu: process.cpuUsage(), threads: cpuNow() };
    gcMark = { ...gcMs };
    return {};
  }
  if (msg.cmd === 'cpu') {
    await platform?.callLog?.flush(); // the log's writes of the window count against it
    const c = process.cpuUsage(mark.cpu);
    const n = Math.max(1, served - mark.served);
    const t = cpuNow();
    const threads = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, (v - (mark.threads[k] ?? 0)) / n]));
    // Wall time of GC pauses on the main thread, µs a request (not CPU: helper threads work in them too).
    threads.gcMinor = ((gcMs.minor - gcMark.minor) * 1000) / n;
    threads.gcMajor = ((gcMs.major - gcMark.major) * 1000) / n;
    return { cpuUsPerRequest: (c.user + c.system) / n, threads, served: served - mark.served, written: platform?.callLog?.written ?? 0 };
  }
  if (msg.cmd === 'close') {
    await close();
    return {};
  }
  throw new Error(`unknown command ${String(msg.cmd)}`);
});
process.send?.({ type: 'ready', url: url!, key });
