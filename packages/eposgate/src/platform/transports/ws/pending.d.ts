import { PlatformError } from '../../errors.ts';
export interface AddOptions {
    /** Time left for this call. */
    timeoutMs: number;
    /** The budget named in the timeout message (the caller's whole timeout). */
    budgetMs?: number;
    signal?: AbortSignal;
}
/** What happened to an answer handed to `settle`. */
export type SettleOutcome = 'settled' | 'late' | 'unknown';
export declare class PendingCalls {
    private readonly rememberGivenUp;
    private readonly calls;
    /**
     * Ids given up on (timed out, cancelled), so a late answer is told apart from a stray one.
     * Made on first use: most sockets never give up on a call.
     */
    private givenUpIds?;
    constructor(rememberGivenUp?: number);
    get size(): number;
    has(id: string): boolean;
    /** Registers a call whose frame is about to be sent; the promise settles exactly once. */
    add(id: string, method: string, opts: AddOptions): Promise<unknown>;
    resolve(id: string, result: unknown): SettleOutcome;
    reject(id: string, err: PlatformError): SettleOutcome;
    /** Fails every call in flight (socket closed, platform shutting down). */
    rejectAll(err: PlatformError): number;
    private take;
    private giveUp;
}
