// B7 child: one cluster node (platform + NATS bus) holding the bench key and a WS registration of
// GetOrderById. Env: NATS_URL, NODE_ID, NATS_PREFIX, API_KEY, ACCOUNT. Sends `ready` with its url.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startPlatform } from '../packages/eposgate/src/platform/platform.ts';
import { NatsBus } from '../packages/eposgate/src/platform/bus/index.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import { fatal, serveParent } from './lib.ts';

try {
  const dataDir = mkdtempSync(join(tmpdir(), 'eposgate-bench-node-'));
  const bus = await NatsBus.connect({ url: process.env.NATS_URL!, nodeId: process.env.NODE_ID!, prefix: process.env.NATS_PREFIX! });
  const p = await startPlatform({
    dataDir, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), bus,
    rateLimit: { perSecond: 1e9, burst: 1e9 }, limits: UNLIMITED_RATES,
  });
  const { record } = await p.keys.create(process.env.ACCOUNT!, 'sandbox', { key: process.env.API_KEY! });
  await p.registry.put({ accountId: record.accountId, env: 'sandbox', keyId: record.id, softwareHouseId: 'bench' }, 'ws', { capabilities: [{ name: 'GetOrderById', version: 'v1' }] });
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  // `cpu`: this process's CPU time so far (µs), for B7's CPU-per-call figures.
  serveParent(async () => { const u = process.cpuUsage(); return { cpuUs: u.user + u.system }; });
  process.send?.({ type: 'ready', url: p.url });
} catch (err) {
  fatal(err);
}
