// Profiling aid: one benchmark's subject alone, for a `--cpu-prof` run of the platform process
// (add BENCH_PROFILE_DIR=DIR to profile the EPOS and load-generator processes too):
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts b1|b2|b2-off|b2-floor|b5|b6 [seconds]
// (b2-off: B2 with the call log off)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startPlatform } from '../packages/eposgate/src/platform/platform.ts';
import { closedLoop, startChild, type LoopResult } from './lib.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import { floorGateway } from './floor.ts';

const arg = process.argv[2] ?? 'b1';
const which = arg === 'b2-off' ? 'b2' : arg;
const seconds = Number(process.argv[3] ?? 5);
const dataDir = mkdtempSync(join(tmpdir(), 'eposgate-prof-'));
const p = await startPlatform({ dataDir, port: 0, logger: pino({ level: 'silent' }), rateLimit: { perSecond: 1e9, burst: 1e9 }, limits: UNLIMITED_RATES, callLog: arg !== 'b2-off' });
const { key, record } = await p.keys.create('prof', 'sandbox');
const tenant = { accountId: 'prof', env: 'sandbox' as const };
const caller = { ...tenant, keyId: record.id, softwareHouseId: 'prof' };
const capabilities = [{ name: 'GetOrderById', version: 'v1' }];
const children = [];
let r: LoopResult;
const invoke = () => p.dispatcher.invoke(tenant, 'GetOrderById', { orderId: 'ord-1' }, {});
if (which === 'b2-floor') {
  // B2's floor alone (bench/floor.ts), to compare its profile with the platform's.
  const floor = await floorGateway();
  const lg = startChild('loadgen.ts');
  await lg.wait('ready');
  const steps = [[{ method: 'GET', path: '/epos/data/v1/orders/ord-1', headers: {} }]];
  r = (await lg.ask<{ result: LoopResult }>({ cmd: 'run', origin: floor.url, concurrency: 64, steps, warmupMs: 1000, durationMs: seconds * 1000 })).result;
  await lg.stop();
  await floor.close();
} else if (which === 'b5') {
  const epos = startChild('epos-rest.ts', { REST_USER: 'u', REST_PASSWORD: 'password-1234' });
  children.push(epos);
  const { url } = await epos.wait<{ url: string }>('ready');
  await p.registry.put(caller, 'rest', { capabilities, url, auth: { authType: 'basic', basic: { username: 'u', password: 'password-1234' } } });
  r = await closedLoop(invoke, 64, 1000, seconds * 1000);
} else {
  await p.registry.put(caller, 'ws', { capabilities });
  if (which !== 'b6') {
    const epos = startChild('epos-ws.ts', { PLATFORM_URL: p.url, API_KEY: key });
    children.push(epos);
    await epos.wait('ready');
  }
  if (which === 'b1') {
    r = await closedLoop(invoke, 64, 1000, seconds * 1000);
  } else {
    const lg = startChild('loadgen.ts');
    children.push(lg);
    await lg.wait('ready');
    const headers = { authorization: `Basic ${key}`, 'software-house-id': 'prof' };
    const steps = which === 'b2'
      ? [[{ method: 'GET', path: '/epos/data/v1/orders/ord-1', headers }]]
      : [[{ method: 'PUT', path: '/epos/integrations/ws', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ capabilities }) },
        { method: 'GET', path: '/epos/integrations', headers }]];
    r = (await lg.ask<{ result: LoopResult }>({ cmd: 'run', origin: p.url, concurrency: which === 'b2' ? 64 : 16, steps, warmupMs: 1000, durationMs: seconds * 1000 })).result;
  }
}
console.log(which, JSON.stringify(r));
for (const c of children) await c.stop();
await p.close();
rmSync(dataDir, { recursive: true, force: true });
