// Token buckets for what an EPOS sends: frames and bytes per socket, upgrades per remote address.
// A peer that floods is cut off instead of taking the event loop from every other tenant.

/** One bucket: `perSecond` tokens refill, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly perSecond: number, private readonly burst: number, now = performance.now()) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes `n` tokens if there are; false (nothing taken) when the bucket is short. */
  take(n = 1, now = performance.now()): boolean {
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Gives back `n` tokens taken for something that turned out not to count. */
  give(n = 1): void {
    this.tokens = Math.min(this.burst, this.tokens + n);
  }

  /** Seconds until `n` tokens are there (at least 1: it goes into Retry-After). */
  retryAfterSeconds(n = 1, now = performance.now()): number {
    this.refill(now);
    return Math.max(1, Math.ceil((n - this.tokens) / this.perSecond));
  }

  /** True when the bucket is full again: it can be forgotten without changing anything. */
  full(now = performance.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
  }
}

/**
 * One bucket per key (remote address), at most `max` keys: full buckets are dropped first, then
 * the oldest, so an attacker cycling addresses cannot grow the map without bound.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly perSecond: number, private readonly burst: number, private readonly max = 10_000) {}

  get size(): number {
    return this.buckets.size;
  }

  /** True when `key` may go ahead; otherwise the seconds it should wait. */
  take(key: string): true | { retryAfterSeconds: number } {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.max) this.evict();
      b = new TokenBucket(this.perSecond, this.burst);
      this.buckets.set(key, b);
    }
    if (b.take()) return true;
    return { retryAfterSeconds: b.retryAfterSeconds() };
  }

  private evict(): void {
    const now = performance.now();
    for (const [k, b] of this.buckets) if (b.full(now)) this.buckets.delete(k);
    // Still full of busy addresses: forget the oldest tenth (they start again with a full burst).
    if (this.buckets.size >= this.max) {
      let drop = Math.max(1, Math.floor(this.max / 10));
      for (const k of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(k);
      }
    }
  }
}
