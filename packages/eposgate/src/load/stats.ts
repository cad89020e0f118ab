// What a load run measured: every call (capability, when, how long, how it ended), every journey,
// and the semantic checks that failed. Summaries are computed once at the end from the raw samples,
// so the report's counts add up by construction.

/** How a call ended: `ok`, a platform error code (`EPOS_TIMEOUT`), an EPOS errorType (`Conflict`), or a transport failure. */
export type Outcome = string;

export interface CallSample { capability: string; startMs: number; ms: number; outcome: Outcome }
export type JourneyOutcome = 'ok' | 'error' | 'check';
export interface JourneySample { startMs: number; ms: number; outcome: JourneyOutcome }

export interface LatencySummary { p50: number; p95: number; p99: number; max: number }

export interface CapabilityStats extends LatencySummary {
  capability: string;
  calls: number;
  ok: number;
  errors: number;
  perSecond: number;
  errorsByType: Record<string, number>;
}

export interface CheckFailure { rule: string; count: number; examples: string[] }

export interface TimelinePoint {
  /** Start of the bucket, seconds since the run began. */
  t: number;
  calls: number;
  errors: number;
  journeys: number;
  p50: number;
  p99: number;
}

export interface Summary {
  elapsedMs: number;
  /** `errors` includes `noData`: journeys that found no data of their own (not the EPOS's fault). */
  journeys: { started: number; ok: number; errors: number; checkFailed: number; dropped: number; noData: number; perSecond: number } & LatencySummary;
  calls: { total: number; ok: number; errors: number; errorRate: number; perSecond: number } & LatencySummary;
  capabilities: CapabilityStats[];
  errorsByType: Record<string, number>;
  /** Up to 3 messages per error type. */
  errorExamples: Record<string, string[]>;
  checkFailures: CheckFailure[];
  bucketSeconds: number;
  timeline: TimelinePoint[];
}

/** Nearest-rank percentile of ascending samples; 0 when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export function latency(samples: readonly number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: r2(percentile(s, 50)), p95: r2(percentile(s, 95)), p99: r2(percentile(s, 99)), max: r2(s.at(-1) ?? 0) };
}

const MAX_EXAMPLES = 5;

export class Recorder {
  readonly calls: CallSample[] = [];
  readonly journeys: JourneySample[] = [];
  readonly checks = new Map<string, CheckFailure>();
  /** Arrivals that found every terminal busy (open loop: they are not queued). */
  dropped = 0;
  /** Journeys that could not get data of their own (no payable order left …), by reason: the run's fault, not the EPOS's. */
  readonly noData = new Map<string, number>();
  readonly t0 = performance.now();

  now(): number {
    return performance.now() - this.t0;
  }

  /** The first few messages of each error type, to say what went wrong. */
  readonly errorExamples = new Map<string, string[]>();

  call(capability: string, startMs: number, outcome: Outcome, message?: string): void {
    this.calls.push({ capability, startMs, ms: this.now() - startMs, outcome });
    if (outcome !== 'ok') {
      const list = this.errorExamples.get(outcome) ?? [];
      if (list.length < 3) list.push(`${capability}: ${message ?? ''}`.slice(0, 300));
      this.errorExamples.set(outcome, list);
    }
  }

  journey(startMs: number, outcome: JourneyOutcome): void {
    this.journeys.push({ startMs, ms: this.now() - startMs, outcome });
  }

  checkFailed(rule: string, example: string): void {
    const c = this.checks.get(rule) ?? { rule, count: 0, examples: [] };
    c.count += 1;
    if (c.examples.length < MAX_EXAMPLES) c.examples.push(example);
    this.checks.set(rule, c);
  }

  /** Live figures for the progress line. */
  live(): { calls: number; errors: number; journeysDone: number; checkFailed: number; p99: number } {
    const recent = this.calls.slice(-500).map((c) => c.ms);
    return {
      calls: this.calls.length,
      errors: this.calls.filter((c) => c.outcome !== 'ok').length,
      journeysDone: this.journeys.length,
      checkFailed: [...this.checks.values()].reduce((t, c) => t + c.count, 0),
      p99: latency(recent).p99,
    };
  }

  summary(elapsedMs: number): Summary {
    const secs = Math.max(elapsedMs, 1) / 1000;
    const byCap = new Map<string, CallSample[]>();
    const errorsByType: Record<string, number> = {};
    for (const c of this.calls) {
      const list = byCap.get(c.capability) ?? [];
      list.push(c);
      byCap.set(c.capability, list);
      if (c.outcome !== 'ok') errorsByType[c.outcome] = (errorsByType[c.outcome] ?? 0) + 1;
    }
    const capabilities = [...byCap.entries()].map(([capability, list]): CapabilityStats => {
      const byType: Record<string, number> = {};
      for (const c of list) if (c.outcome !== 'ok') byType[c.outcome] = (byType[c.outcome] ?? 0) + 1;
      const ok = list.filter((c) => c.outcome === 'ok').length;
      return { capability, calls: list.length, ok, errors: list.length - ok, perSecond: r2(list.length / secs), errorsByType: byType, ...latency(list.map((c) => c.ms)) };
    }).sort((a, b) => b.calls - a.calls);
    const okCalls = this.calls.filter((c) => c.outcome === 'ok').length;
    const j = this.journeys;
    const count = (o: JourneyOutcome) => j.filter((x) => x.outcome === o).length;
    // About 60 points whatever the duration, but never finer than 100 ms.
    const bucketSeconds = Math.max(0.1, Math.round((secs / 60) * 10) / 10);
    const n = Math.max(1, Math.ceil(secs / bucketSeconds));
    const buckets = Array.from({ length: n }, () => ({ ms: [] as number[], errors: 0, journeys: 0 }));
    const at = (startMs: number) => buckets[Math.min(n - 1, Math.floor(startMs / 1000 / bucketSeconds))]!;
    for (const c of this.calls) {
      const b = at(c.startMs);
      b.ms.push(c.ms);
      if (c.outcome !== 'ok') b.errors += 1;
    }
    for (const x of j) at(x.startMs + x.ms).journeys += 1;
    const timeline = buckets.map((b, i): TimelinePoint => {
      const l = latency(b.ms);
      return { t: r2(i * bucketSeconds), calls: b.ms.length, errors: b.errors, journeys: b.journeys, p50: l.p50, p99: l.p99 };
    });
    return {
      elapsedMs: Math.round(elapsedMs),
      journeys: { started: j.length, ok: count('ok'), errors: count('error'), checkFailed: count('check'), dropped: this.dropped, noData: [...this.noData.values()].reduce((t, n) => t + n, 0), perSecond: r2(j.length / secs), ...latency(j.map((x) => x.ms)) },
      calls: { total: this.calls.length, ok: okCalls, errors: this.calls.length - okCalls, errorRate: this.calls.length ? (this.calls.length - okCalls) / this.calls.length : 0, perSecond: r2(this.calls.length / secs), ...latency(this.calls.map((c) => c.ms)) },
      capabilities,
      errorsByType,
      errorExamples: Object.fromEntries(this.errorExamples),
      checkFailures: [...this.checks.values()].sort((a, b) => b.count - a.count),
      bucketSeconds,
      timeline,
    };
  }
}
