export interface RetryPolicy {
    /** Delay after the first failed attempt; doubles with each further one. */
    baseMs: number;
    /** Ceiling of the delay. */
    maxMs: number;
    /** Attempts (calls that reached for the EPOS) before an event is dead-lettered as `failed`. */
    maxAttempts: number;
}
export declare const DEFAULT_RETRY: RetryPolicy;
/**
 * Delay before the next attempt after `attempts` failed ones: exponential, capped, with "equal
 * jitter" (a random point in the upper half), so a crowd of EPOSes coming back does not retry in step.
 */
export declare function backoffMs(policy: RetryPolicy, attempts: number, random?: () => number): number;
/** What the worker does with a delivery that threw. */
export type Verdict = 
/** Try again later; counts as an attempt. */
{
    kind: 'retry';
}
/** No EPOS socket: wait for the EPOS to connect (or the longest delay); not an attempt. */
 | {
    kind: 'wait';
}
/** The capability is no longer registered: stop, status `skipped`. */
 | {
    kind: 'skip';
    reason: 'not-registered';
}
/** Retrying cannot help: status `failed` at once. */
 | {
    kind: 'fail';
    reason: 'rejected';
}
/** The platform is stopping: put it back untouched. */
 | {
    kind: 'requeue';
};
export declare function judge(err: unknown): Verdict;
