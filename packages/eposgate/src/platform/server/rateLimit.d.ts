export interface RateLimitOptions {
    perSecond: number;
    burst: number;
    /** Buckets kept; past it the least recently used one is dropped (it starts full when seen again). */
    maxKeys?: number;
}
export declare class RateLimiter {
    private readonly opts;
    private readonly now;
    private readonly buckets;
    private readonly maxKeys;
    constructor(opts: RateLimitOptions, now?: () => number);
    /** True when the caller may go ahead. */
    take(id: string): boolean;
    /** Whole seconds (at least 1) until `id` has a token again: the Retry-After of a refusal. */
    retryAfterSeconds(id: string): number;
    get size(): number;
    private refill;
}
