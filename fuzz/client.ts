// Sending fuzz requests: bounded concurrency over keep-alive (an undici Pool), each answer classified
// into the surface's status tally or a failure (a 5xx that is no documented outcome, a hang, a
// dropped connection).
import { Pool, errors as undiciErrors } from 'undici';
import type { FuzzRequest } from './surfaces.ts';

export interface Tally {
  requests: number;
  /** Count per HTTP status. */
  statuses: Record<string, number>;
  /** Count per "status error-code" (error or errorType of the JSON body). */
  codes: Record<string, number>;
  /** Requests undici refused to put on the wire (e.g. a header value it cannot encode). */
  clientRefused: number;
  /**
   * Requests sent again after their keep-alive connection was found closed (Node closes a
   * connection after a 431 without undici noticing); a second failure is a failure.
   */
  retried: number;
  /**
   * Error answers not in the platform's shape `{error, message, traceId}` (nor an EPOSError with
   * `errorType`): reported, not failed; `offShapeExample` is the first.
   */
  offShape: number;
  offShapeExample: string;
  /** Answer times: p99 and the slowest, with the slowest request. */
  p99Ms: number;
  maxMs: number;
  slowest: string;
  latencies: number[];
}

export interface Failure {
  surface: string;
  index: number;
  kind: '5xx' | 'hang' | 'connection' | 'crash' | 'rss';
  request: string;
  response: string;
}

export function emptyTally(): Tally {
  return { requests: 0, statuses: {}, codes: {}, clientRefused: 0, retried: 0, offShape: 0, offShapeExample: '', p99Ms: 0, maxMs: 0, slowest: '', latencies: [] };
}

export function describeRequest(r: FuzzRequest): string {
  const body = r.body === undefined ? '' : ` body(${r.body.length}): ${r.body.slice(0, 300)}`;
  return `${r.method} ${r.path.slice(0, 300)}${r.path.length > 300 ? `…(${r.path.length})` : ''} headers ${JSON.stringify(r.headers).slice(0, 300)}${body}`;
}

export interface Sent {
  status: number;
  json?: Record<string, unknown>;
  text: string;
}

export class FuzzClient {
  readonly pool: Pool;
  /** Requests on the wire now, and the last ones sent, for the crash report. */
  readonly inFlight = new Set<FuzzRequest>();
  readonly recent: FuzzRequest[] = [];

  constructor(readonly url: string, connections: number, private readonly hangMs: number) {
    this.pool = new Pool(url, { connections, pipelining: 1, headersTimeout: hangMs, bodyTimeout: hangMs, keepAliveTimeout: 10_000 });
  }

  /** Requests sent again on a fresh connection (see Tally.retried). */
  retried = 0;

  /** Sends `r`; answers the response, or throws a Failure-shaped error ('hang' | 'connection'), or undefined when undici refused it. */
  async send(r: FuzzRequest): Promise<Sent | undefined> {
    try {
      return await this.sendOnce(r);
    } catch (err) {
      if ((err as { kind?: string }).kind !== 'connection') throw err;
      this.retried += 1;
      return this.sendOnce(r);
    }
  }

  private async sendOnce(r: FuzzRequest): Promise<Sent | undefined> {
    this.inFlight.add(r);
    this.recent.push(r);
    if (this.recent.length > 16) this.recent.shift();
    try {
      const res = await this.pool.request({ method: r.method as 'GET', path: r.path, headers: r.headers, body: r.body });
      const text = await res.body.text();
      let json: Record<string, unknown> | undefined;
      try {
        const v = JSON.parse(text) as unknown;
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) json = v as Record<string, unknown>;
      } catch { /* not JSON */ }
      return { status: res.statusCode, text, ...(json ? { json } : {}) };
    } catch (err) {
      if (err instanceof undiciErrors.InvalidArgumentError) return undefined;
      if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
        throw Object.assign(new Error(`no answer within ${this.hangMs} ms`), { kind: 'hang' as const });
      }
      throw Object.assign(new Error(`${(err as Error).name}: ${(err as Error).message}`), { kind: 'connection' as const });
    } finally {
      this.inFlight.delete(r);
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Records `s` (answered in `ms` to `r`) in `t`. */
export function count(t: Tally, s: Sent, ms: number, r: FuzzRequest): void {
  t.requests += 1;
  t.latencies.push(ms);
  if (ms > t.maxMs) {
    t.maxMs = Math.round(ms);
    t.slowest = `${describeRequest(r).slice(0, 300)} → ${s.status}`;
  }
  t.statuses[s.status] = (t.statuses[s.status] ?? 0) + 1;
  const code = `${s.status} ${String(s.json?.error ?? s.json?.errorType ?? '')}`.trim();
  const j = s.json;
  if (s.status >= 400 && !(j && ((typeof j.error === 'string' && typeof j.message === 'string' && typeof j.traceId === 'string') || typeof j.errorType === 'string'))) {
    t.offShape += 1;
    if (!t.offShapeExample) t.offShapeExample = `${describeRequest(r).slice(0, 300)} → ${s.status} ${s.text.slice(0, 300)}`;
  }
  t.codes[code] = (t.codes[code] ?? 0) + 1;
}

/** Runs `worker` on `concurrency` lanes until `next()` is done or `stop()` says so. */
export async function lanes<T>(concurrency: number, next: () => IteratorResult<T>, worker: (v: T, i: number) => Promise<void>, stop: () => boolean): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (!stop()) {
      const n = next();
      if (n.done) return;
      await worker(n.value, i++);
    }
  }));
}

/** Fills p99Ms from the latencies and drops them (they are not reported). */
export function settle(t: Tally): Tally {
  const sorted = t.latencies.sort((a, b) => a - b);
  t.p99Ms = Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0);
  t.latencies = [];
  return t;
}
