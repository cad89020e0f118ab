// The HTTP load generator (a child process): undici Pool per origin, pipelining off (one request
// at a time per connection), N concurrent closed loops. Each loop cycles through its own list of
// steps; a step is one request. Non-2xx answers count as errors.
import { Pool } from 'undici';
import { closedLoop, fatal, serveParent } from './lib.ts';

export interface Step {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  cmd: 'run';
  origin: string;
  concurrency: number;
  /** One list of steps per loop (loop i uses steps[i % steps.length]). */
  steps: Step[][];
  warmupMs: number;
  durationMs: number;
}

const pools = new Map<string, Pool>();

function pool(origin: string, connections: number): Pool {
  const key = `${origin}#${connections}`;
  let p = pools.get(key);
  if (!p) {
    p = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
    pools.set(key, p);
  }
  return p;
}

serveParent(async (msg) => {
  if (msg.cmd !== 'run') throw new Error(`unknown command ${String(msg.cmd)}`);
  const spec = msg as unknown as LoadSpec;
  const p = pool(spec.origin, spec.concurrency);
  const cursor = new Array<number>(spec.concurrency).fill(0);
  const statuses: Record<string, number> = {};
  const result = await closedLoop(async (i) => {
    const steps = spec.steps[i % spec.steps.length]!;
    const step = steps[cursor[i]! % steps.length]!;
    cursor[i]! += 1;
    const res = await p.request({ method: step.method, path: step.path, headers: step.headers, body: step.body });
    await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299) {
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      throw new Error(`HTTP ${res.statusCode} on ${step.method} ${step.path}`);
    }
  }, spec.concurrency, spec.warmupMs, spec.durationMs);
  return { result: { ...result, ...(Object.keys(statuses).length ? { statuses } : {}) } };
});

process.send?.({ type: 'ready' }) ?? fatal(new Error('loadgen must run as a child with IPC'));
