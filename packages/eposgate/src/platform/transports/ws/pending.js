// Calls in flight on one EPOS socket, matched by JSON-RPC id: each settles exactly once, by the
// EPOS's answer, its timeout, its caller's AbortSignal or the socket going away.
import { PlatformError } from "../../errors.js";
import { cancelledError } from "../eposAnswer.js";
export class PendingCalls {
    rememberGivenUp;
    calls = new Map();
    /**
     * Ids given up on (timed out, cancelled), so a late answer is told apart from a stray one.
     * Made on first use: most sockets never give up on a call.
     */
    givenUpIds;
    constructor(rememberGivenUp = 10_000) {
        this.rememberGivenUp = rememberGivenUp;
    }
    get size() {
        return this.calls.size;
    }
    has(id) {
        return this.calls.has(id);
    }
    /** Registers a call whose frame is about to be sent; the promise settles exactly once. */
    add(id, method, opts) {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.giveUp(id);
                reject(new PlatformError('EPOS_TIMEOUT', `the EPOS did not answer ${method} within ${opts.budgetMs ?? opts.timeoutMs} ms`));
            }, Math.max(1, Math.ceil(opts.timeoutMs)));
            const entry = { method, resolve, reject, timer, signal: opts.signal };
            if (opts.signal) {
                const signal = opts.signal;
                entry.onAbort = () => {
                    this.giveUp(id);
                    reject(cancelledError(signal));
                };
                signal.addEventListener('abort', entry.onAbort, { once: true });
            }
            this.calls.set(id, entry);
        });
    }
    resolve(id, result) {
        const e = this.take(id);
        if (!e)
            return this.givenUpIds?.has(id) ? 'late' : 'unknown';
        e.resolve(result);
        return 'settled';
    }
    reject(id, err) {
        const e = this.take(id);
        if (!e)
            return this.givenUpIds?.has(id) ? 'late' : 'unknown';
        e.reject(err);
        return 'settled';
    }
    /** Fails every call in flight (socket closed, platform shutting down). */
    rejectAll(err) {
        const ids = [...this.calls.keys()];
        for (const id of ids)
            this.take(id)?.reject(err);
        return ids.length;
    }
    take(id) {
        const e = this.calls.get(id);
        if (!e)
            return undefined;
        this.calls.delete(id);
        clearTimeout(e.timer);
        if (e.onAbort)
            e.signal?.removeEventListener('abort', e.onAbort);
        return e;
    }
    giveUp(id) {
        this.take(id);
        const givenUp = (this.givenUpIds ??= new Set());
        givenUp.add(id);
        if (givenUp.size > this.rememberGivenUp) {
            const oldest = givenUp.values().next().value;
            if (oldest !== undefined)
                givenUp.delete(oldest);
        }
    }
}
