/** One bucket: `perSecond` tokens refill, at most `burst` saved up. */
export declare class TokenBucket {
    private readonly perSecond;
    private readonly burst;
    private tokens;
    private at;
    constructor(perSecond: number, burst: number, now?: number);
    /** Takes `n` tokens if there are; false (nothing taken) when the bucket is short. */
    take(n?: number, now?: number): boolean;
    /** Gives back `n` tokens taken for something that turned out not to count. */
    give(n?: number): void;
    /** Seconds until `n` tokens are there (at least 1: it goes into Retry-After). */
    retryAfterSeconds(n?: number, now?: number): number;
    /** True when the bucket is full again: it can be forgotten without changing anything. */
    full(now?: number): boolean;
    private refill;
}
/**
 * One bucket per key (remote address), at most `max` keys: full buckets are dropped first, then
 * the oldest, so an attacker cycling addresses cannot grow the map without bound.
 */
export declare class KeyedBuckets {
    private readonly perSecond;
    private readonly burst;
    private readonly max;
    private readonly buckets;
    constructor(perSecond: number, burst: number, max?: number);
    get size(): number;
    /** True when `key` may go ahead; otherwise the seconds it should wait. */
    take(key: string): true | {
        retryAfterSeconds: number;
    };
    private evict;
}
