export class RateLimiter {
    opts;
    now;
    buckets = new Map();
    maxKeys;
    constructor(opts, now = () => performance.now()) {
        this.opts = opts;
        this.now = now;
        this.maxKeys = opts.maxKeys ?? 100_000;
    }
    /** True when the caller may go ahead. */
    take(id) {
        const b = this.refill(id);
        if (b.tokens < 1)
            return false;
        b.tokens -= 1;
        return true;
    }
    /** Whole seconds (at least 1) until `id` has a token again: the Retry-After of a refusal. */
    retryAfterSeconds(id) {
        const b = this.refill(id);
        return Math.max(1, Math.ceil((1 - b.tokens) / this.opts.perSecond));
    }
    get size() {
        return this.buckets.size;
    }
    refill(id) {
        const t = this.now();
        let b = this.buckets.get(id);
        if (b) {
            // Re-inserted so the map's order is least recently used first.
            this.buckets.delete(id);
        }
        else {
            b = { tokens: this.opts.burst, at: t };
            if (this.buckets.size >= this.maxKeys)
                this.buckets.delete(this.buckets.keys().next().value);
        }
        this.buckets.set(id, b);
        b.tokens = Math.min(this.opts.burst, b.tokens + ((t - b.at) / 1000) * this.opts.perSecond);
        b.at = t;
        return b;
    }
}
