// A rolling restart of three `eposgate serve` nodes behind HAProxy (deploy/haproxy.cfg) under
// continuous product traffic ends with 0 failed calls. The product and the EPOS both go through
// the load balancer. The product retries what a load balancer's client should: a 503
// PLATFORM_STOPPING (nothing ran; Retry-After) or a refused connection. Anything else is a failure.
// test: long
// (short in lines but long in time, mostly waiting on restarts and HAProxy's checks: first in the queue)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Pool } from 'undici';
import { connect, defineEpos, register } from '../../packages/sdk/src/index.ts';
import { api } from '../helpers/platform.ts';
import { freePort } from '../helpers/processGroup.ts';
import { clusterRun, haproxy, sigterm, type ServeNode } from './nodes.ts';

const SH = 'rolling-till';
/**
 * Calls per second the product aims at. The callers share one timetable (call k starts at
 * k / RATE s): a caller held up by a slow answer (a node draining or starting, a loaded machine)
 * is caught up by the others, so the rate is the cluster's, not one caller's patience.
 */
const RATE = 200;
/** Enough callers in flight that a few slow answers do not hold the timetable back. */
const WORKERS = 64;

interface Tally { calls: number; failed: number; retried: number; failures: string[]; answered: number[] }

/**
 * One product caller: takes the next slot of the timetable, retrying a stopping node or a refused
 * connection. undici's request() on a keep-alive pool to HAProxy, not fetch(): on a shared 2-CPU
 * machine the callers' own CPU per call would otherwise cap the rate the cluster is shown at.
 */
async function product(lb: Pool, key: string, tally: Tally, t0: number, running: () => boolean): Promise<void> {
  const headers = { authorization: `Basic ${key}`, 'software-house-id': SH, accept: 'application/json' };
  while (running()) {
    const slot = tally.calls++;
    const wait = t0 + (1000 * slot) / RATE - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    if (!running()) { tally.calls--; return; }
    for (let attempt = 0; ; attempt++) {
      const r = await lb.request({ method: 'GET', path: `/epos/data/v1/orders/r-${slot}`, headers })
        .then(async (res) => ({ status: res.statusCode, text: await res.body.text() }))
        .catch((e: Error & { code?: string }) => ({ status: 0, text: `${e.code ?? ''} ${e.message}` }));
      if (r.status === 200) {
        tally.answered.push(performance.now() - t0);
        break;
      }
      const error = r.status === 0 ? r.text.split(' ')[0] : errorCode(r.text);
      const retryable = (r.status === 503 && error === 'PLATFORM_STOPPING') || error === 'ECONNREFUSED';
      if (!retryable || attempt === 50) {
        tally.failed++;
        tally.failures.push(`${r.status} ${error} ${r.text}`);
        break;
      }
      tally.retried++;
      await new Promise((res) => setTimeout(res, 20));
    }
  }
}

/** The `error` of a JSON error body; undefined for anything else (HAProxy's own HTML pages). */
function errorCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: string }).error;
  } catch {
    return undefined;
  }
}

/** CPU seconds a process has used so far (Linux /proc; 0 elsewhere): where the run's CPU went. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Waits until HAProxy's log, from offset `from` on, has a line matching each of `patterns`: its own
 * view of the rotation (a server going UP after rise 2 × inter 500 ms, the calls it sent to each
 * node), instead of a sleep long enough for it.
 */
async function untilLogged(proxy: { log(): string }, from: number, patterns: RegExp[], what: string, timeoutMs = 15_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!patterns.every((p) => p.test(proxy.log().slice(from)))) {
    if (performance.now() > end) throw new Error(`HAProxy's log did not show ${what} within ${timeoutMs} ms:\n${proxy.log().slice(from).split('\n').filter((l) => !/ 200 \d+ - - ---- /.test(l)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An httplog line of a call answered 200 by HAProxy's server node<n> ("eposgate_nodes/node1 0/0/0/1/1 200 "). */
const servedBy = (n: number) => new RegExp(`eposgate_nodes/node${n} \\S+ 200 `);
const ALL_SERVE = [1, 2, 3].map(servedBy);

/** Calls answered in each whole second of the run. */
function perSecond(answered: number[], seconds: number): number[] {
  const bins = new Array<number>(Math.floor(seconds)).fill(0);
  for (const ms of answered) if (ms < bins.length * 1000) bins[Math.floor(ms / 1000)]! += 1;
  return bins;
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

  const tally: Tally = { calls: 0, failed: 0, retried: 0, failures: [], answered: [] };
  let running = true;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let nodesCpu = -nodes.reduce((sum, n) => sum + cpuSeconds(n.child.pid), 0);
  const pool = new Pool(lb, { connections: WORKERS });
  // A failure below (a node not ready in time) must stop the callers too, or they call on forever
  // and the test process never exits.
  t.after(async () => {
    running = false;
    await pool.close();
  });
  const callers = Array.from({ length: WORKERS }, () => product(pool, c.key, tally, t0, () => running));
  // Traffic is flowing through every node before the first one stops.
  await untilLogged(proxy, 0, ALL_SERVE, 'a call answered by each node');
  const restartsAt = (performance.now() - t0) / 1000;

  const timings: string[] = [];
  for (const [i, node] of nodes.entries()) {
    const s0 = performance.now();
    const logFrom = proxy.log().length;
    nodesCpu += cpuSeconds(node.child.pid);
    const code = await sigterm(node);
    assert.equal(code, 0, `${node.id} exits 0 after its drain:\n${node.output()}`);
    const s1 = performance.now();
    nodes[i] = await c.start(node.id, node.port);
    const s2 = performance.now();
    // Back in HAProxy's rotation (rise 2 × inter 500 ms: it left it on its first failed check,
    // fall 1, while it was down for seconds) before the next node stops.
    await untilLogged(proxy, logFrom, [new RegExp(`Server eposgate_nodes/node${i + 1} is UP`)], `node${i + 1} UP again`);
    timings.push(`${node.id}: drained and exited in ${(s1 - s0).toFixed(0)} ms, ready again ${(s2 - s1).toFixed(0)} ms later, in HAProxy's rotation ${(performance.now() - s2).toFixed(0)} ms after that`);
  }
  // Traffic goes on through every restarted node.
  await untilLogged(proxy, proxy.log().length, ALL_SERVE, 'a call answered by each restarted node');
  running = false;
  await Promise.all(callers);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  nodesCpu += nodes.reduce((sum, n) => sum + cpuSeconds(n.child.pid), 0);

  // HAProxy's own retries (a refused connection, a GET closed unanswered): the last of
  // "%ac/%fc/%bc/%sc/%rc", after the termination state, in each log line.
  const lbRetried = proxy.log().split('\n').filter((l) => /[A-Za-z-]{4} \d+\/\d+\/\d+\/\d+\/\+?[1-9]\d* /.test(l)).length;
  const bins = perSecond(tally.answered, seconds);
  const sorted = [...bins].sort((a, b) => a - b);
  t.diagnostic(`${tally.calls} calls in ${seconds.toFixed(1)} s (${(tally.calls / seconds).toFixed(0)}/s, aiming at ${RATE}/s), ${tally.failed} failed, retried: ${tally.retried} by the product, ${lbRetried} by HAProxy; EPOS reconnects: ${reconnects}`);
  t.diagnostic(`answered per second: ${bins.join(' ')} (lowest ${sorted[0]}, median ${sorted[sorted.length >> 1]})`);
  t.diagnostic(`CPU: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s in this process (the product's callers and the EPOS), ${nodesCpu.toFixed(1)} s in the nodes (restarts included); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const line of timings) t.diagnostic(line);
  if (tally.failed > 0) t.diagnostic(`HAProxy's log of what did not end in a plain 200:\n${proxy.log().split('\n').filter((l) => l && !/ 200 \d+ - - ---- /.test(l)).join('\n')}`);
  assert.deepEqual(tally.failures, [], 'no call failed');
  assert.equal(tally.failed, 0);
  // The rate is what the machine's CPU allows: 288/s with the load average at 14 (other suites
  // on the same two cores), 163/s another time at 15. Asserted is only that traffic never stopped:
  // a generous floor, as a rate under someone else's load is no pass/fail figure.
  assert.ok(tally.calls / seconds > 50, `continuous traffic (${(tally.calls / seconds).toFixed(0)}/s)`);
  // From the second the first node stops on: before it, under a loaded suite, the callers' first
  // calls through cold nodes once took two seconds (CI, load average 7), with no node restarting.
  const from = Math.max(1, Math.floor(restartsAt));
  assert.ok(bins.slice(from).every((n) => n > 0), `calls answered in every second from the first restart (${from} s): ${bins.join(' ')}`);
  assert.ok(reconnects >= 1, 'the EPOS moved at least once');
});
