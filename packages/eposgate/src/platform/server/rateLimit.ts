// A token bucket per API key: a runaway client slows itself down, not its neighbours.
export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  /** Buckets kept; past it the least recently used one is dropped (it starts full when seen again). */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** When it last moved to the map's end (the most recently used). */
  movedAt: number;
}

/**
 * A bucket moves to the map's end at most this often: the order is least recently used to within
 * it. Moving it on every request (a delete and a set, and the map's compaction every so often)
 * cost B2's request ~1 µs of the event loop (BENCHMARKS.md, thirteenth pass).
 */
const MOVE_MS = 1000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  constructor(private readonly opts: RateLimitOptions, private readonly now: () => number = () => performance.now()) {
    this.maxKeys = opts.maxKeys ?? 100_000;
  }

  /** True when the caller may go ahead. */
  take(id: string): boolean {
    const b = this.refill(id);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Whole seconds (at least 1) until `id` has a token again: the Retry-After of a refusal. */
  retryAfterSeconds(id: string): number {
    const b = this.refill(id);
    return Math.max(1, Math.ceil((1 - b.tokens) / this.opts.perSecond));
  }

  get size(): number {
    return this.buckets.size;
  }

  private refill(id: string): Bucket {
    const t = this.now();
    let b = this.buckets.get(id);
    if (!b) {
      b = { tokens: this.opts.burst, at: t, movedAt: t };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      this.buckets.set(id, b);
    } else if (t - b.movedAt >= MOVE_MS) {
      // Re-inserted so the map's order is least recently used first (to within MOVE_MS).
      this.buckets.delete(id);
      this.buckets.set(id, b);
      b.movedAt = t;
    }
    b.tokens = Math.min(this.opts.burst, b.tokens + ((t - b.at) / 1000) * this.opts.perSecond);
    b.at = t;
    return b;
  }
}
