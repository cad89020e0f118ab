// Profiling aid: CPU per request/answer round trip of the NATS bus alone (two buses in this
// process, 64 requests in flight, an order-sized answer):
//   node --conditions=eposgate-source --import tsx bench/bus-rtt.ts [seconds]
import { randomBytes } from 'node:crypto';
import { NatsBus } from '../packages/eposgate/src/platform/bus/nats.ts';
import { ORDER } from '../test/fixtures/contract.ts';

const url = process.env.EPOSGATE_NATS_URL ?? 'nats://127.0.0.1:4222';
const prefix = `rtt${randomBytes(3).toString('hex')}`;
const seconds = Number(process.argv[2] ?? 5);
const a = await NatsBus.connect({ url, nodeId: 'A', prefix });
const b = await NatsBus.connect({ url, nodeId: 'B', prefix });
a.respond('echo', () => ({ result: ORDER }));
const body = { tenant: { accountId: 'acct', env: 'sandbox' }, capability: 'GetOrderById', params: { orderId: 'ord-1' }, headers: { 'software-house-id': 'bench' }, timeoutMs: 10_000 };
let n = 0;
let stop = false;
const loop = async () => { while (!stop) { await b.request('A', 'echo', body, 11_000); n += 1; } };
const warm = Array.from({ length: 64 }, loop);
await new Promise((r) => setTimeout(r, 1000));
const n0 = n;
const c0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const c1 = process.cpuUsage(c0);
const calls = n - n0;
const ms = performance.now() - t0;
stop = true;
await Promise.all(warm);
console.log(`${calls} round trips in ${ms.toFixed(0)} ms: ${(calls / ms * 1000).toFixed(0)}/s, CPU ${((c1.user + c1.system) / calls).toFixed(1)} µs each (both ends)`);
await Promise.all([a.close(), b.close()]);
