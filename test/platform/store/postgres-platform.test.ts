// A platform on the PostgreSQL store: it refuses to start without EPOSGATE_SECRET_KEY, takes over only
// its own flows at start, and answers 503 STORE_UNAVAILABLE while PostgreSQL is unreachable, then
// recovers without a restart. "Unreachable" is a real TCP relay to PostgreSQL that the test stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startPlatform, type Platform } from '../../../packages/eposgate/src/platform/platform.ts';
import { PostgresStore } from '../../../packages/eposgate/src/platform/store/postgres/index.ts';
import { UNLIMITED_RATES } from '../../../packages/eposgate/src/platform/limits.ts';
import { api } from '../../helpers/platform.ts';
import { testBus } from '../../helpers/cluster.ts';
import { TEST_DATABASE, dropSchemas, schemaUrl } from './pg.ts';

const SECRET = randomBytes(32).toString('base64');

/** A TCP relay to PostgreSQL that can be taken down (every connection cut) and brought back on the same port. */
class Relay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server ? this.server.close(() => resolve()) : resolve());
    this.server = undefined;
  }
}

test('a PostgreSQL platform without EPOSGATE_SECRET_KEY refuses to start and says why', async () => {
  const saved = process.env.EPOSGATE_SECRET_KEY;
  delete process.env.EPOSGATE_SECRET_KEY;
  try {
    await assert.rejects(startPlatform({ database: schemaUrl('never_created'), port: 0 }),
      /PostgreSQL store \(cluster mode\) needs EPOSGATE_SECRET_KEY.*same on every node/);
  } finally {
    if (saved !== undefined) process.env.EPOSGATE_SECRET_KEY = saved;
  }
});

test('on start a node marks FAILURE only its own flows left IN_PROGRESS, never a peer’s', async (t) => {
  const schema = `t_flows_${process.pid}`;
  t.after(() => dropSchemas(schema));
  const url = schemaUrl(schema);
  const seed = await PostgresStore.open(url);
  const base = { flowName: 'Get Order', status: 'IN_PROGRESS' as const, startedAt: new Date().toISOString(), steps: [],
    tenant: { accountId: 'acc-f', env: 'sandbox' as const }, flow: 'Get Order', params: {} };
  await seed.flows.insert({ ...base, flowID: 'mine', node: 'node-a' });
  await seed.flows.insert({ ...base, flowID: 'peers', node: 'node-b' });
  await seed.close();
  const p = await startPlatform({ database: url, port: 0, secretKey: SECRET, bus: await testBus('node-a') });
  t.after(() => p.close());
  assert.equal((await p.store.flows.get(base.tenant, 'mine'))?.status, 'FAILURE');
  assert.equal((await p.store.flows.get(base.tenant, 'peers'))?.status, 'IN_PROGRESS', 'node-b may still be running it');
});

test('while PostgreSQL is unreachable requests answer 503 STORE_UNAVAILABLE with the reason; the node recovers without a restart', async (t) => {
  const schema = `t_down_${process.pid}`;
  const target = new URL(TEST_DATABASE);
  const relay = new Relay({ host: target.hostname, port: Number(target.port || 5432) });
  await relay.up();
  const viaRelay = new URL(TEST_DATABASE);
  viaRelay.hostname = '127.0.0.1';
  viaRelay.port = String(relay.port);
  let p: Platform | undefined;
  t.after(async () => {
    await p?.close();
    await relay.down();
    await dropSchemas(schema);
  });
  p = await startPlatform({
    database: schemaUrl(schema, viaRelay.toString()), port: 0, secretKey: SECRET, limits: UNLIMITED_RATES, bus: await testBus(),
    postgres: { connectTimeoutMs: 1_000 },
  });
  const { key } = await p.keys.create('acc-pg', 'sandbox');
  const post = (n: number) => api(p!.url, 'POST', '/epos/events', {
    key, softwareHouseId: 'sh-epos', body: { eventType: 'OrderUpdated', event: { orderId: `ord-${n}` } },
  });
  const first = await post(1);
  assert.equal(first.status, 200, first.text);

  await relay.down();
  const refused = await post(2);
  assert.equal(refused.status, 503, refused.text);
  assert.equal(refused.body.error, 'STORE_UNAVAILABLE');
  assert.match(refused.body.message, /PostgreSQL store.*nothing was written/);

  await relay.up();
  const back = await post(3);
  assert.equal(back.status, 200, back.text);
  const events = await p.store.eposEvents.list({ accountId: 'acc-pg', env: 'sandbox' }, 0, 10);
  assert.deepEqual(events.map((e) => e.event.orderId), ['ord-1', 'ord-3'], 'the refused one was not stored');
});
