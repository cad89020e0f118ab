// A drain (SIGTERM) whose PostgreSQL or NATS stopped answering still ends, within its deadline and
// the bounded time after it (docs/cluster.md, "Drain"), naming in the log what it cut short.
// "Stopped answering" is a relay between the node and the service that lets nothing through but
// keeps every connection open (tcpRelay's freeze): no error ever comes, as with a partition or a
// frozen host, so only the drain's own bounds can end it. The SQLite case: a drain under writes
// loses none it acknowledged.
// test: long
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { settleWithin } from '../../../packages/eposgate/src/platform/deadline.ts';
import { KeyService } from '../../../packages/eposgate/src/platform/auth/keys.ts';
import { UNLIMITED_RATES } from '../../../packages/eposgate/src/platform/limits.ts';
import { api, tempDir, testPlatform } from '../../helpers/platform.ts';
import { natsRelay, testCluster } from '../../helpers/cluster.ts';
import { tcpRelay } from '../../helpers/relay.ts';
import { TEST_DATABASE } from '../store/pg.ts';

const DEADLINE_MS = 1000;
// Past the deadline the drain's bounds come to 2-4.5 s in these cases (docs/cluster.md, "A drain ends
// even when..."); the rest is slack for a loaded machine. Without the bounds the drain never ends:
// the wait below is what fails.
const BOUND_MS = DEADLINE_MS + 8000;

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** Drains `node`, fails unless it ends within BOUND_MS, and answers its time and its "drained" log line. */
async function drainWithinBound(node: { drain(o: { deadlineMs: number }): Promise<unknown> }, lines: Array<Record<string, unknown>>) {
  const started = Date.now();
  const drained = await settleWithin(node.drain({ deadlineMs: DEADLINE_MS }), BOUND_MS);
  const took = Date.now() - started;
  assert.ok(drained, `the drain did not end within ${BOUND_MS} ms`);
  const line = lines.find((l) => l.msg === 'drained');
  assert.ok(line, 'the drain logged its end');
  return { took, line };
}

test('a drain whose PostgreSQL stopped answering ends within its bound, and says it cut the event worker and the store short', async (t) => {
  const relay = await tcpRelay(Number(new URL(TEST_DATABASE).port || 5432));
  t.after(() => relay.cut());
  const through = new URL(TEST_DATABASE);
  through.port = String(relay.port);
  const { logger, lines } = capturedLogger();
  // A connect timeout past the test's bound: only the drain's own bounds may end what hangs.
  const c = await testCluster(['A'], { databaseBase: through.toString(), logger, postgres: { connectTimeoutMs: 20_000 } });
  // The schema is dropped over a connection of its own (dropSchemas), not through the relay.
  t.after(() => c.destroy());
  const [a] = c.nodes;
  const raise = (id: string) => api(a!.url, 'POST', '/epos/events', {
    key: c.key, softwareHouseId: 'sh-epos', body: { eventType: 'OrderUpdated', event: { orderId: id } },
  });
  assert.equal((await raise('before')).status, 200);

  relay.freeze();
  // A write in flight on the frozen store, as a request would be when PostgreSQL went away.
  const stuck = raise('during').catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  // And the delivery worker looking at the outbox on it: its stop waits for that look.
  a!.events.worker.kick();
  await new Promise((r) => setTimeout(r, 200));
  const { took, line } = await drainWithinBound(a!, lines);
  assert.deepEqual(line.cutShort, ['event deliveries', 'store'], 'the worker\'s wait and the store were cut short, nothing else');
  assert.ok(lines.some((l) => l.step === 'store' && /cut short/.test(String(l.msg))), 'the store step is named in a warning');
  t.diagnostic(`drain took ${took} ms (deadline ${DEADLINE_MS} ms), cut short: ${JSON.stringify(line.cutShort)}`);
  // Its connection was cut (fetch rejects) or it was refused: never acknowledged.
  const answer = await stuck;
  assert.ok(answer instanceof Error || answer.status !== 200, 'the write in flight on the dead store was not acknowledged');
});

test('a drain whose NATS stopped answering ends within its bound, and says it cut the bus short', async (t) => {
  const relay = await natsRelay();
  t.after(() => relay.cut());
  const { logger, lines } = capturedLogger();
  const c = await testCluster(['A'], { natsUrl: () => relay.url, logger });
  t.after(() => c.destroy());
  const [a] = c.nodes;
  assert.equal(a!.bus.connected, true);

  relay.freeze();
  const { took, line } = await drainWithinBound(a!, lines);
  assert.deepEqual(line.cutShort, ['bus'], 'only the bus was cut: the store closed as usual');
  t.diagnostic(`drain took ${took} ms (deadline ${DEADLINE_MS} ms)`);
});

test('SQLite: a drain under a stream of writes loses none it acknowledged', async (t) => {
  const dataDir = tempDir('eposgate-drainwrites-');
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const p = await testPlatform({ dataDir, limits: UNLIMITED_RATES });
  const { key } = await new KeyService(p.store.keys).create('acc-drain', 'sandbox');
  const acked: string[] = [];
  let stop = false;
  const loops = Array.from({ length: 8 }, async (_, l) => {
    for (let i = 0; !stop; i += 1) {
      const id = `evt-${l}-${i}`;
      try {
        const res = await api(p.url, 'POST', '/epos/data/v1/events', { key, body: { id, event: 'payment_intent.created', data: { paymentIntentId: id, paymentStatus: 'Created', captureMode: 'Auto' } } });
        if (res.status === 202) acked.push(id);
        else if (res.status === 503) return; // stopping
      } catch { return; } // the connection was closed
    }
  });
  // Drains once writes are flowing (a fixed 300 ms saw none acknowledged on a loaded machine).
  for (const until = Date.now() + 20_000; acked.length <= 5 && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
  await p.drain({ deadlineMs: 500 });
  stop = true;
  await Promise.all(loops);
  assert.ok(acked.length > 5, `only ${acked.length} writes were acknowledged before the drain`);
  const db = new Database(join(dataDir, 'platform.db'), { readonly: true });
  t.after(() => db.close());
  const has = db.prepare('SELECT COUNT(*) AS n FROM event_outbox WHERE id = ?');
  const missing = acked.filter((id) => (has.get(id) as { n: number }).n !== 1);
  assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged writes are not in the file`);
});
