// B7/B8 child: one cluster node (platform + NATS bus) on the shared PostgreSQL store, where the
// parent has put the bench key and registration. Env: NATS_URL, NODE_ID, NATS_PREFIX, DATABASE_URL,
// EPOSGATE_SECRET_KEY. Sends `ready` with its url.
import pino from 'pino';
import { startPlatform } from '../packages/eposgate/src/platform/platform.ts';
import { NatsBus } from '../packages/eposgate/src/platform/bus/nats.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import { fatal, serveParent } from './lib.ts';

try {
  const bus = await NatsBus.connect({ url: process.env.NATS_URL!, nodeId: process.env.NODE_ID!, prefix: process.env.NATS_PREFIX! });
  const p = await startPlatform({
    database: process.env.DATABASE_URL!, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), bus,
    rateLimit: { perSecond: 1e9, burst: 1e9 }, limits: UNLIMITED_RATES,
  });
  // `cpu`: this process's CPU time so far (µs), for B7's CPU-per-call figures.
  serveParent(async () => { const u = process.cpuUsage(); return { cpuUs: u.user + u.system }; });
  process.send?.({ type: 'ready', url: p.url });
} catch (err) {
  fatal(err);
}
