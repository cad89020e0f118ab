// B2-calllog-cpu: what the call log costs per call in CPU time, measured in-process with
// process.cpuUsage() (robust on a machine shared with other load, unlike a throughput ratio):
// the hot path (record(): one push) and the flusher (redact, cap, serialise, one SQLite batch
// insert with its indexes, group commit) for B2's call: GetOrderById answered with the realistic order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CallLog } from '../packages/eposgate/src/platform/calllog/recorder.ts';
import { resolveLimits } from '../packages/eposgate/src/platform/limits.ts';
import { SqliteStore } from '../packages/eposgate/src/platform/store/sqlite/index.ts';
import { orderFor, round } from './lib.ts';
import type { Result } from './run.ts';

type Report = (r: Omit<Result, 'met'> & { met?: boolean | null }) => void;

const cpuUs = (u: NodeJS.CpuUsage) => u.user + u.system;

export async function runCallLogCost(quick: boolean, result: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eposgate-bench-calllog-'));
  const store = new SqliteStore(dir);
  const n = quick ? 20_000 : 100_000;
  const limits = resolveLimits({ callLogQueue: n + 1, callLogFlushMs: 3_600_000 });
  const log = new CallLog({ store: store.calls, node: 'bench', limits, logger: pino({ level: 'silent' }) });
  const order = orderFor('ord-1');
  const tenant = { accountId: 'bench', env: 'sandbox' as const };
  const requestor = { softwareHouseId: 'bench-product', deviceId: 'tm_1' };
  try {
    const hot = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      log.record({ tenant, capability: 'GetOrderById', transport: 'ws', source: 'data-api', requestor, params: { orderId: 'ord-1' },
        outcome: order, ok: true, atMs: Date.now(), latencyMs: 1.234 });
    }
    const hotUs = cpuUs(process.cpuUsage(hot)) / n;
    const flushStart = process.cpuUsage();
    const wall = performance.now();
    await log.flush();
    const flushUs = cpuUs(process.cpuUsage(flushStart)) / n;
    const wallMs = performance.now() - wall;
    if (log.written !== n) throw new Error(`wrote ${log.written} of ${n}`);
    result({
      id: 'B2-calllog-cpu', title: 'call log CPU per recorded call (B2\'s GetOrderById with the realistic order): flusher, µs', target: 100, better: 'lower',
      figure: round(flushUs, 1),
      summary: `flusher ${round(flushUs, 1)} µs/call (${Math.round(n / (wallMs / 1000))} calls/s written), hot path ${round(hotUs * 1000, 0)} ns/call, ${n} calls`,
      detail: { calls: n, hotPathNs: hotUs * 1000, flusherUs: flushUs, flushWallMs: wallMs, orderJsonChars: JSON.stringify(order).length },
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
