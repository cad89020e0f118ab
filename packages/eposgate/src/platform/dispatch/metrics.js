// Per-capability call counts, errors by code and latency, cheap enough for the hot path:
// fixed histogram buckets, no allocation per call.
const BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];
export class Metrics {
    series = new Map();
    record(capability, transport, ms, errorCode) {
        const key = `${capability}\u0000${transport}`;
        let s = this.series.get(key);
        if (!s) {
            s = { count: 0, errors: new Map(), sumMs: 0, buckets: new Array(BUCKETS_MS.length + 1).fill(0) };
            this.series.set(key, s);
        }
        s.count++;
        s.sumMs += ms;
        let i = 0;
        while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i])
            i++;
        s.buckets[i]++;
        if (errorCode)
            s.errors.set(errorCode, (s.errors.get(errorCode) ?? 0) + 1);
    }
    snapshot() {
        return [...this.series].map(([key, s]) => {
            const [capability, transport] = key.split('\u0000');
            return {
                capability, transport, count: s.count, errors: Object.fromEntries(s.errors),
                meanMs: s.count ? s.sumMs / s.count : 0, p50Ms: quantile(s, 0.5), p99Ms: quantile(s, 0.99),
            };
        });
    }
    /** Prometheus text exposition. */
    prometheus() {
        const lines = [
            '# HELP eposgate_calls_total Calls to EPOS capabilities.', '# TYPE eposgate_calls_total counter',
        ];
        const errors = ['# HELP eposgate_call_errors_total Failed calls by error code.', '# TYPE eposgate_call_errors_total counter'];
        const hist = ['# HELP eposgate_call_duration_ms Call latency.', '# TYPE eposgate_call_duration_ms histogram'];
        for (const [key, s] of this.series) {
            const [capability, transport] = key.split('\u0000');
            const l = `capability="${capability}",transport="${transport}"`;
            lines.push(`eposgate_calls_total{${l}} ${s.count}`);
            for (const [code, n] of s.errors)
                errors.push(`eposgate_call_errors_total{${l},code="${code}"} ${n}`);
            let cum = 0;
            BUCKETS_MS.forEach((b, i) => { cum += s.buckets[i]; hist.push(`eposgate_call_duration_ms_bucket{${l},le="${b}"} ${cum}`); });
            hist.push(`eposgate_call_duration_ms_bucket{${l},le="+Inf"} ${s.count}`);
            hist.push(`eposgate_call_duration_ms_sum{${l}} ${s.sumMs}`, `eposgate_call_duration_ms_count{${l}} ${s.count}`);
        }
        return [...lines, ...errors, ...hist].join('\n') + '\n';
    }
}
/** Upper bound of the bucket holding the q-th call. */
function quantile(s, q) {
    const target = Math.ceil(s.count * q);
    let cum = 0;
    for (let i = 0; i < s.buckets.length; i++) {
        cum += s.buckets[i];
        if (cum >= target && target > 0)
            return BUCKETS_MS[i] ?? Infinity;
    }
    return 0;
}
