// Profiling aid: the B1 subject alone (invoke → WS → SDK), for `--cpu-prof` runs:
// NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" node --import tsx bench/profile-b1.ts [seconds] [inFlight]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startPlatform } from '../src/platform/platform.ts';
import { closedLoop, startChild } from './lib.ts';

const seconds = Number(process.argv[2] ?? 5);
const inFlight = Number(process.argv[3] ?? 64);
const dataDir = mkdtempSync(join(tmpdir(), 'eposgate-prof-'));
const p = await startPlatform({ dataDir, port: 0, logger: pino({ level: 'silent' }), rateLimit: { perSecond: 1e9, burst: 1e9 } });
const { key, record } = await p.keys.create('prof', 'sandbox');
const tenant = { accountId: 'prof', env: 'sandbox' as const };
await p.registry.put({ ...tenant, keyId: record.id, softwareHouseId: 'prof' }, 'ws', { capabilities: [{ name: 'GetOrderById', version: 'v1' }] });
const epos = startChild('epos-ws.ts', { PLATFORM_URL: p.url, API_KEY: key });
await epos.wait('ready');
const r = await closedLoop(() => p.dispatcher.invoke(tenant, 'GetOrderById', { orderId: 'ord-1' }, {}), inFlight, 500, seconds * 1000);
console.log(JSON.stringify(r));
await epos.stop();
await p.close();
rmSync(dataDir, { recursive: true, force: true });
