// A latency histogram with fixed buckets, cheap enough for the hot path: recording is a few adds
// into arrays made once per series (no allocation, no label hashing). prom-client renders it on
// scrape (metrics.ts); its own Histogram hashes the labels and allocates on every observe.
export const BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

export class FixedHistogram {
  count = 0;
  sum = 0;
  /** Per bucket (not cumulative); the last one is +Inf. */
  readonly counts: Float64Array = new Float64Array(BUCKETS_MS.length + 1);

  observe(ms: number): void {
    this.count++;
    this.sum += ms;
    let i = 0;
    while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]!) i++;
    this.counts[i]!++;
  }
}
