// Profiling aid: bytes allocated per request in B2's serving process, by the function that
// allocated them (V8's sampling heap profiler, collected objects included), for one side:
//   node --conditions=eposgate-source --import tsx bench/alloc.ts on|off|floor [promoted]
// With `promoted`, only objects that died in the old generation are counted: what scavenges
// promoted and a mark-compact then collected (BENCHMARKS.md, eighth pass).
// The sampler slows the process several times over: compare sides and commits, not throughput.
// The whole profile is left in /tmp/alloc-SIDE.heapprofile (Chrome DevTools opens it).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import pino from 'pino';
import { startPlatform } from '../packages/eposgate/src/platform/platform.ts';
import { startChild, sleep, type LoopResult } from './lib.ts';
import { floorGateway } from './floor.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
const mode = process.argv[2] ?? 'off';
const lg = startChild('loadgen.ts');
await lg.wait('ready');
let origin: string, headers: Record<string, string> = {}, close: () => Promise<void>;
if (mode === 'floor') {
  const f = await floorGateway(); origin = f.url; close = f.close;
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'eposgate-prof-'));
  const p = await startPlatform({ dataDir, port: 0, logger: pino({ level: 'silent' }), rateLimit: { perSecond: 1e9, burst: 1e9 }, limits: UNLIMITED_RATES, callLog: mode === 'on' });
  const { key, record } = await p.keys.create('prof', 'sandbox');
  await p.registry.put({ accountId: 'prof', env: 'sandbox' as const, keyId: record.id, softwareHouseId: 'prof' }, 'ws', { capabilities: [{ name: 'GetOrderById', version: 'v1' }] });
  const epos = startChild('epos-ws.ts', { PLATFORM_URL: p.url, API_KEY: key });
  await epos.wait('ready');
  origin = p.url; headers = { authorization: `Basic ${key}`, 'software-house-id': 'prof' };
  close = async () => { await epos.stop(); await p.close(); };
}
const run = lg.ask<{ result: LoopResult }>({ cmd: 'run', origin, concurrency: 64, steps: [[{ method: 'GET', path: '/epos/data/v1/orders/ord-1', headers }]], warmupMs: 1500, durationMs: 4000 });
await sleep(1500);
const s = new Session(); s.connect();
await s.post('HeapProfiler.enable');
await s.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.argv[3] !== 'promoted' } as never);
const r = await run;
const { profile } = await s.post('HeapProfiler.stopSampling') as unknown as { profile: { head: SampleNode } };
const n = r.result.count;
// aggregate self bytes per function
const agg = new Map<string, number>();
interface SampleNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: SampleNode[] }
const walk = (node: SampleNode): void => {
  const f = node.callFrame; const k = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1')}:${f.lineNumber + 1}`;
  agg.set(k, (agg.get(k) ?? 0) + node.selfSize);
  for (const c of node.children) walk(c);
};
walk(profile.head);
writeFileSync(`/tmp/alloc-${mode}.heapprofile`, JSON.stringify(profile));
const total = [...agg.values()].reduce((a, b) => a + b, 0);
console.log(mode, 'rps', r.result.rps, 'bytes/req', (total / n).toFixed(0));
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((v / n).toFixed(0).padStart(7), k);
await lg.stop(); await close();
