// B3/B8 server side (a child process, run with a raised open-files limit and --expose-gc): either the
// platform (MODE=platform, DATA_DIR with keys and registrations already stored) or a bare `ws`
// server (MODE=bare). Answers `mem` (RSS/heap after GC, sockets held) and, for the platform,
// `probe` (GetOrderById to the given accounts, checking each answer names its own account).
// B8 cluster node: MODE=platform with DATABASE (postgres://…), NATS_URL, NATS_PREFIX, NODE_ID and
// SECRET_KEY; it also answers `known` (how many of the given accounts it sees held on any node).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { startPlatform, type Platform } from '../packages/eposgate/src/platform/platform.ts';
import { serveParent, settledMemory, summarise } from './lib.ts';
import { UNLIMITED_RATES } from '../packages/eposgate/src/platform/limits.ts';
import { NatsBus } from '../packages/eposgate/src/platform/bus/nats.ts';
import { tenantKey } from '../packages/eposgate/src/platform/tenant.ts';

const mode = process.env.MODE;
let platform: Platform | undefined;
let bareCount = 0;

if (mode === 'platform') {
  const env = process.env;
  const cluster = env.NATS_URL
    ? { database: env.DATABASE!, nodeId: env.NODE_ID!, secretKey: env.SECRET_KEY!, bus: await NatsBus.connect({ url: env.NATS_URL, nodeId: env.NODE_ID!, prefix: env.NATS_PREFIX! }) }
    : { dataDir: env.DATA_DIR! };
  platform = await startPlatform({
    ...cluster, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }),
    rateLimit: { perSecond: 1e9, burst: 1e9 }, limits: UNLIMITED_RATES,
  });
  process.send?.({ type: 'ready', url: platform.url });
} else {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, path: '/epos', perMessageDeflate: false, clientTracking: false });
  wss.on('connection', (ws) => {
    bareCount += 1;
    ws.on('close', () => { bareCount -= 1; });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
}

serveParent(async (msg) => {
  if (msg.cmd === 'mem') {
    const mem = await settledMemory();
    const sockets = platform ? platform.gateway.registry.all().filter((c) => c.open).length : bareCount;
    return { mem, sockets };
  }
  if (msg.cmd === 'snapshot') {
    // Profiling aid: a heap snapshot of the process as it holds its sockets.
    const { writeHeapSnapshot } = await import('node:v8');
    return { file: writeHeapSnapshot(String(msg.file)) };
  }
  if (msg.cmd === 'known' && platform) {
    // Accounts `acct-FROM` … `acct-(TO-1)` held here or, by presence, on another node.
    const p = platform;
    let known = 0;
    for (let i = Number(msg.from); i < Number(msg.to); i += 1) {
      const t = { accountId: `acct-${i}`, env: 'sandbox' as const };
      if (p.gateway.isConnected(t) || p.bus.presence.holders(tenantKey(t)).length > 0) known += 1;
    }
    return { known };
  }
  if (msg.cmd === 'probe' && platform) {
    const accounts = msg.accounts as string[];
    let next = 0;
    let right = 0;
    const wrong: string[] = [];
    const lat: number[] = [];
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < accounts.length) {
        const accountId = accounts[next++]!;
        const t0 = performance.now();
        try {
          const out = await platform!.dispatcher.invoke({ accountId, env: 'sandbox' }, 'GetOrderById', { orderId: 'ord-1' });
          lat.push(performance.now() - t0);
          if ((out as { id?: string }).id === accountId) right += 1;
          else wrong.push(`${accountId} answered by ${String((out as { id?: string }).id)}`);
        } catch (e) {
          wrong.push(`${accountId}: ${(e as Error).message}`);
        }
      }
    }));
    return { probed: accounts.length, right, wrong: wrong.slice(0, 5), wrongCount: wrong.length, latencyMs: summarise(lat) };
  }
  throw new Error(`unknown command ${String(msg.cmd)}`);
});
