// Profiling aid: the call log alone at B2's shape, CPU µs per call by thread (main, writer, other),
// calls recorded in bursts of 64 (as B2's 64 connections answer) with the event loop turning between:
//   node --conditions=eposgate-source --import tsx bench/calllog-threads.ts [calls] [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CallLog } from '../packages/eposgate/src/platform/calllog/recorder.ts';
import { resolveLimits } from '../packages/eposgate/src/platform/limits.ts';
import { SqliteStore } from '../packages/eposgate/src/platform/store/sqlite/index.ts';
import { median, orderFor, threadCpuUs } from './lib.ts';

const n = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);
const threads = (): Record<string, number> => threadCpuUs();

const json = JSON.stringify(orderFor('ord-1'));
const tenant = { accountId: 'bench', env: 'sandbox' as const, keyId: 'k', softwareHouseId: 'bench-product' };
const requestor = { deviceId: 'tm_1' };
const by: Record<string, number[]> = { main: [], writer: [], other: [], all: [] };
const dir = mkdtempSync(join(tmpdir(), 'eposgate-calllog-threads-'));
const store = new SqliteStore(dir);
const log = new CallLog({ store: store.calls, node: 'bench', limits: resolveLimits({}), logger: pino({ level: 'silent' }) });
for (let r = 0; r < rounds; r++) {
  const t0 = threads();
  for (let i = 0; i < n; i += 64) {
    for (let j = 0; j < 64; j++) {
      log.record({ tenant, capability: 'GetOrderById', transport: 'ws', source: 'data-api', requestor, params: { orderId: 'ord-1' },
        outcomeJson: json, ok: true, atMs: Date.now(), latencyMs: 1.234 });
    }
    await new Promise((res) => setImmediate(res));
  }
  await log.flush();
  const t1 = threads();
  let all = 0;
  for (const k of ['main', 'writer', 'other']) { const v = (t1[k]! - t0[k]!) / n; by[k]!.push(v); all += v; }
  by.all!.push(all);
  console.log(`round ${r}: ${['main', 'writer', 'other', 'all'].map((k) => `${k} ${by[k]!.at(-1)!.toFixed(2)}`).join(', ')} µs/call`);
}
console.log(`median: ${['main', 'writer', 'other', 'all'].map((k) => `${k} ${median(by[k]!).toFixed(2)}`).join(', ')} µs/call`);
await store.close();
rmSync(dir, { recursive: true, force: true });
