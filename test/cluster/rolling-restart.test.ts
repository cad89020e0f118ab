// A rolling restart of three `eposgate serve` nodes behind HAProxy (deploy/haproxy.cfg) under
// continuous product traffic ends with 0 failed calls. The product and the EPOS both go through
// the load balancer. The product retries what a load balancer's client should: a 503
// PLATFORM_STOPPING (nothing ran; Retry-After) or a refused connection. Anything else is a failure.
// test: own process
// (long and mostly waiting on restarts and HAProxy's checks: beside the shards, not inside one)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, defineEpos, register } from '../../packages/sdk/src/index.ts';
import { api } from '../helpers/platform.ts';
import { freePort } from '../helpers/processGroup.ts';
import { clusterRun, haproxy, sigterm, type ServeNode } from './nodes.ts';

const SH = 'rolling-till';
/** Calls per second the product aims at, over WORKERS concurrent callers. */
const RATE = 300;
const WORKERS = 24;

interface Tally { calls: number; failed: number; retried: number; failures: string[] }

/** One product caller: paced to RATE / WORKERS, retrying a stopping node or a refused connection. */
async function product(lb: string, key: string, tally: Tally, running: () => boolean): Promise<void> {
  const interval = (1000 * WORKERS) / RATE;
  let n = 0;
  while (running()) {
    const next = performance.now() + interval;
    tally.calls++;
    for (let attempt = 0; ; attempt++) {
      const r = await api(lb, 'GET', `/epos/data/v1/orders/r-${n++}`, { key, softwareHouseId: SH })
        .catch((e: Error & { cause?: { code?: string; message?: string } }) => ({ status: 0, body: { error: e.cause?.code ?? e.message }, text: String(e.cause?.message) }));
      if (r.status === 200) break;
      const retryable = (r.status === 503 && r.body?.error === 'PLATFORM_STOPPING') || r.body?.error === 'ECONNREFUSED';
      if (!retryable || attempt === 50) {
        tally.failed++;
        tally.failures.push(`${r.status} ${r.body?.error} ${r.text}`);
        break;
      }
      tally.retried++;
      await new Promise((res) => setTimeout(res, 20));
    }
    await new Promise((res) => setTimeout(res, Math.max(0, next - performance.now())));
  }
}

test('rolling restart of 3 nodes behind HAProxy under continuous traffic: 0 failed calls', async (t) => {
  const c = await clusterRun(t);
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const nodes: ServeNode[] = await Promise.all(ports.map((p, i) => c.start(`n${i + 1}`, p)));
  const proxy = await haproxy(t, ports);
  const lb = proxy.url;

  const epos = defineEpos({ GetOrderById: ({ orderId }) => ({ id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: {} } }) });
  await register(epos, { platformUrl: lb, apiKey: c.key, softwareHouseId: SH, transport: 'ws' });
  const conn = connect(epos, { url: lb.replace(/^http/, 'ws') + '/epos', apiKey: c.key, softwareHouseId: SH, reconnect: { minMs: 50, maxMs: 300 } });
  let reconnects = 0;
  conn.on('reconnecting', () => { reconnects++; });
  conn.on('error', () => {});
  t.after(() => conn.close());
  await once(conn, 'connect');
  const first = await api(lb, 'GET', '/epos/data/v1/orders/first', { key: c.key, softwareHouseId: SH });
  assert.equal(first.status, 200, first.text);

  const tally: Tally = { calls: 0, failed: 0, retried: 0, failures: [] };
  let running = true;
  const t0 = performance.now();
  const callers = Array.from({ length: WORKERS }, () => product(lb, c.key, tally, () => running));
  await new Promise((r) => setTimeout(r, 1000));

  const timings: string[] = [];
  for (const [i, node] of nodes.entries()) {
    const s0 = performance.now();
    const code = await sigterm(node);
    assert.equal(code, 0, `${node.id} exits 0 after its drain:\n${node.output()}`);
    const s1 = performance.now();
    nodes[i] = await c.start(node.id, node.port);
    const s2 = performance.now();
    // Back in HAProxy's rotation (rise 2 × inter 500 ms) before the next node stops.
    await new Promise((r) => setTimeout(r, 1200));
    timings.push(`${node.id}: drained and exited in ${(s1 - s0).toFixed(0)} ms, ready again ${(s2 - s1).toFixed(0)} ms later`);
  }
  await new Promise((r) => setTimeout(r, 1000));
  running = false;
  await Promise.all(callers);
  const seconds = (performance.now() - t0) / 1000;

  // HAProxy's own retries (a refused connection, a GET closed unanswered): the last of
  // "%ac/%fc/%bc/%sc/%rc", after the termination state, in each log line.
  const lbRetried = proxy.log().split('\n').filter((l) => /[A-Za-z-]{4} \d+\/\d+\/\d+\/\d+\/\+?[1-9]\d* /.test(l)).length;
  t.diagnostic(`${tally.calls} calls in ${seconds.toFixed(1)} s (${(tally.calls / seconds).toFixed(0)}/s), ${tally.failed} failed, retried: ${tally.retried} by the product, ${lbRetried} by HAProxy; EPOS reconnects: ${reconnects}`);
  for (const line of timings) t.diagnostic(line);
  if (tally.failed > 0) t.diagnostic(`HAProxy's log of what did not end in a plain 200:\n${proxy.log().split('\n').filter((l) => l && !/ 200 \d+ - - ---- /.test(l)).join('\n')}`);
  assert.deepEqual(tally.failures, [], 'no call failed');
  assert.equal(tally.failed, 0);
  // RATE is reached on a quiet machine; under other load the callers wait on slower answers.
  assert.ok(tally.calls / seconds > 100, `continuous traffic (${(tally.calls / seconds).toFixed(0)}/s)`);
  assert.ok(reconnects >= 1, 'the EPOS moved at least once');
});
