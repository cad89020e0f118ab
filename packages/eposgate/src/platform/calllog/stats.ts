// Per-capability series from the calls in a range: computed from the rows at request time (at most
// limits.callStatsRows of them), not from rollups. Nothing extra is written per call, percentiles are
// exact for what was read, and the cost of an answer is bounded by that cap and limits.callStatsBuckets.
import type { CallPoint } from '../store/store.ts';

export interface StatsPoint { at: string; calls: number; errors: number; p50Ms: number | null; p99Ms: number | null }
export interface StatsSeries { capability: string; points: StatsPoint[] }

/** Buckets start on multiples of bucketSeconds since the epoch; every bucket of the range is listed (empty ones with zero calls). */
export function callStats(points: readonly CallPoint[], from: number, to: number, bucketSeconds: number): StatsSeries[] {
  const width = bucketSeconds * 1000;
  const first = Math.floor(from / width);
  const count = Math.floor(to / width) - first + 1;
  const byCap = new Map<string, { latencies: number[][]; errors: number[] }>();
  for (const p of points) {
    let s = byCap.get(p.capability);
    if (!s) byCap.set(p.capability, s = { latencies: Array.from({ length: count }, () => []), errors: new Array<number>(count).fill(0) });
    const i = Math.floor(p.atMs / width) - first;
    if (i < 0 || i >= count) continue;
    s.latencies[i]!.push(p.latencyMs);
    if (p.status === 'error') s.errors[i]!++;
  }
  return [...byCap.keys()].sort().map((capability) => {
    const s = byCap.get(capability)!;
    return {
      capability,
      points: s.latencies.map((l, i) => {
        l.sort((a, b) => a - b);
        return {
          at: new Date((first + i) * width).toISOString(),
          calls: l.length, errors: s.errors[i]!,
          p50Ms: percentile(l, 0.5), p99Ms: percentile(l, 0.99),
        };
      }),
    };
  });
}

/** Nearest-rank percentile of sorted values; null when there are none. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
