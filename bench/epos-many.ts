// B3 client side (a child process, raised open-files limit): opens one socket per key in
// KEYS_FILE[FROM, TO) with at most CONCURRENCY handshakes at a time, then holds them idle.
// MODE=sdk: the SDK's connect(), each socket with its own key and an EPOS answering GetOrderById
// with its own account id as the order id. MODE=bare: plain `ws` clients (same headers).
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { connect, defineEpos, type EposConnection } from '../packages/sdk/src/index.ts';
import { orderFor, serveParent, summarise } from './lib.ts';

const keys = (JSON.parse(readFileSync(process.env.KEYS_FILE!, 'utf8')) as { accountId: string; key: string }[])
  .slice(Number(process.env.FROM), Number(process.env.TO));
const url = process.env.URL!.replace(/^http/, 'ws') + '/epos';
const mode = process.env.MODE;
const held: Array<EposConnection | WebSocket> = [];

function openOne(accountId: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (mode === 'sdk') {
      const epos = defineEpos({ GetOrderById: async () => orderFor(accountId) as never });
      const c = connect(epos, { url, apiKey: key, softwareHouseId: 'bench-many', reconnect: false });
      held.push(c);
      c.once('connect', () => resolve());
      c.on('error', (e: Error) => reject(e));
      c.once('disconnect', ({ code }: { code: number }) => reject(new Error(`closed ${code}`)));
    } else {
      const ws = new WebSocket(url, { perMessageDeflate: false, headers: { authorization: `Basic ${key}`, 'software-house-id': 'bench-many' } });
      held.push(ws);
      ws.once('open', () => resolve());
      ws.once('error', reject);
    }
  });
}

serveParent(async (msg) => {
  if (msg.cmd !== 'go') throw new Error(`unknown command ${String(msg.cmd)}`);
  const concurrency = Number(process.env.CONCURRENCY ?? 100);
  let next = 0;
  let opened = 0;
  let failed = 0;
  let firstError: string | undefined;
  const took: number[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < keys.length) {
      const k = keys[next++]!;
      try {
        const t = performance.now();
        await openOne(k.accountId, k.key);
        took.push(performance.now() - t);
        opened += 1;
      } catch (e) {
        failed += 1;
        firstError ??= (e as Error).message;
      }
    }
  }));
  return { opened, failed, ms: performance.now() - t0, connectMs: summarise(took), ...(firstError ? { firstError } : {}) };
});
process.send?.({ type: 'ready' });
