// Per-capability call counts, errors by code and latency, cheap enough for the hot path:
// fixed histogram buckets, no allocation per call.
const BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

interface Series {
  count: number;
  errors: Map<string, number>;
  sumMs: number;
  buckets: number[];
}

export class Metrics {
  private readonly series = new Map<string, Series>();
  /** Calls the call log could not record (queue full, batch not written); set by the platform. */
  callLogDropped?: () => number;

  record(capability: string, transport: string, ms: number, errorCode?: string): void {
    const key = `${capability}\u0000${transport}`;
    let s = this.series.get(key);
    if (!s) {
      s = { count: 0, errors: new Map(), sumMs: 0, buckets: new Array(BUCKETS_MS.length + 1).fill(0) };
      this.series.set(key, s);
    }
    s.count++;
    s.sumMs += ms;
    let i = 0;
    while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]!) i++;
    s.buckets[i]!++;
    if (errorCode) s.errors.set(errorCode, (s.errors.get(errorCode) ?? 0) + 1);
  }

  /** Prometheus text exposition. */
  prometheus(): string {
    const lines = [
      '# HELP eposgate_calls_total Calls to EPOS capabilities.', '# TYPE eposgate_calls_total counter',
    ];
    const errors = ['# HELP eposgate_call_errors_total Failed calls by error code.', '# TYPE eposgate_call_errors_total counter'];
    const hist = ['# HELP eposgate_call_duration_ms Call latency.', '# TYPE eposgate_call_duration_ms histogram'];
    for (const [key, s] of this.series) {
      const [capability, transport] = key.split('\u0000') as [string, string];
      const l = `capability="${capability}",transport="${transport}"`;
      lines.push(`eposgate_calls_total{${l}} ${s.count}`);
      for (const [code, n] of s.errors) errors.push(`eposgate_call_errors_total{${l},code="${code}"} ${n}`);
      let cum = 0;
      BUCKETS_MS.forEach((b, i) => { cum += s.buckets[i]!; hist.push(`eposgate_call_duration_ms_bucket{${l},le="${b}"} ${cum}`); });
      hist.push(`eposgate_call_duration_ms_bucket{${l},le="+Inf"} ${s.count}`);
      hist.push(`eposgate_call_duration_ms_sum{${l}} ${s.sumMs}`, `eposgate_call_duration_ms_count{${l}} ${s.count}`);
    }
    const dropped = this.callLogDropped
      ? ['# HELP eposgate_call_log_dropped_total Calls not recorded in the call log (queue full or store failing).',
        '# TYPE eposgate_call_log_dropped_total counter', `eposgate_call_log_dropped_total ${this.callLogDropped()}`]
      : [];
    return [...lines, ...errors, ...hist, ...dropped].join('\n') + '\n';
  }
}
