// The NATS bus on its own (two buses on the real NATS, a prefix of their own): node-addressed
// requests, answered at once or later, and a request in flight to a node that presence finds dead
// failing then (NODE_GONE), not at its timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isBusError } from '../../../packages/eposgate/src/platform/bus/index.ts';
import { NatsBus } from '../../../packages/eposgate/src/platform/bus/nats.ts';
import { NATS_URL } from '../../helpers/cluster.ts';
import { until } from '../../e2e/setup.ts';

// A TTL far above the heartbeat: on a loaded machine a short one lets B think A left mid-test.
async function pair(t: { after(fn: () => Promise<void>): void }): Promise<[NatsBus, NatsBus]> {
  const prefix = `bus${randomBytes(3).toString('hex')}`;
  const a = await NatsBus.connect({ url: NATS_URL, nodeId: 'A', prefix, heartbeatMs: 500, ttlMs: 5000 });
  const b = await NatsBus.connect({ url: NATS_URL, nodeId: 'B', prefix, heartbeatMs: 500, ttlMs: 5000 });
  t.after(async () => { await Promise.all([a.close(), b.close()]); });
  return [a, b];
}

test('a request reaches only the node it names and gets its answer, sync or async; a throwing handler is HANDLER_FAILED', async (t) => {
  const [a, b] = await pair(t);
  const seen: string[] = [];
  a.respond('sync', (body) => { seen.push('A'); return { echo: body }; });
  b.respond('sync', () => { seen.push('B'); return 'wrong node'; });
  a.respond('async', async (body) => { await new Promise((r) => setTimeout(r, 20)); return { later: body }; });
  a.respond('throws', () => { throw new Error('boom'); });
  await Promise.all([a.flush(), b.flush()]); // the subscriptions reach NATS before B asks
  assert.deepEqual(await b.request('A', 'sync', { n: 1 }, 2000), { echo: { n: 1 } });
  assert.deepEqual(seen, ['A']);
  assert.deepEqual(await b.request('A', 'async', [1, 2], 2000), { later: [1, 2] });
  await assert.rejects(b.request('A', 'throws', null, 2000), (e) => isBusError(e) && e.code === 'HANDLER_FAILED' && /boom/.test(e.message));
  await assert.rejects(b.request('A', 'nobody', null, 2000), (e) => isBusError(e) && e.code === 'NO_RESPONDER');
});

test('a request in flight fails with NODE_GONE as soon as presence finds its node dead, not at its timeout', async (t) => {
  const [a, b] = await pair(t);
  a.respond('never', () => new Promise(() => {}));
  await a.flush();
  a.presence.hold('sandbox:acct', true);
  await until(() => b.presence.holder('sandbox:acct') === 'A', 'presence of A on B', 3000);
  const started = performance.now();
  const pending = b.request('A', 'never', null, 30_000);
  const other = b.request('A', 'never', null, 30_000);
  await new Promise((r) => setTimeout(r, 50));
  b.presence.dropNode('A');
  await assert.rejects(pending, (e) => isBusError(e) && e.code === 'NODE_GONE' && /node A left the cluster/.test(e.message));
  await assert.rejects(other, (e) => isBusError(e) && e.code === 'NODE_GONE');
  assert.ok(performance.now() - started < 10_000, 'failed at once, far before the 30 s timeout');
  assert.equal(b.presence.holder('sandbox:acct'), undefined);
});
