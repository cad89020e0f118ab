// Calls in flight on one EPOS socket, matched by JSON-RPC id: each settles exactly once, by the
// EPOS's answer, its timeout, its caller's AbortSignal or the socket going away.
//
// The timeouts share one timer, set for the earliest deadline: a timer of its own per call (made,
// then cleared when the answer came) cost B2's call ~0.4 µs of the event loop, for a timeout that
// almost never fires.
import { PlatformError } from '../../errors.ts';
import { cancelledError } from '../eposAnswer.ts';

interface Entry {
  method: string;
  resolve(v: unknown): void;
  reject(e: PlatformError): void;
  /** performance.now() by which the call times out. */
  deadline: number;
  /** The budget its timeout message names. */
  budgetMs: number;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export interface AddOptions {
  /** Time left for this call. */
  timeoutMs: number;
  /** The budget named in the timeout message (the caller's whole timeout). */
  budgetMs?: number;
  signal?: AbortSignal;
}

/** What happened to an answer handed to `settle`. */
export type SettleOutcome = 'settled' | 'late' | 'unknown';

export class PendingCalls {
  private readonly calls = new Map<string, Entry>();
  /**
   * Ids given up on (timed out, cancelled), so a late answer is told apart from a stray one.
   * Made on first use: most sockets never give up on a call.
   */
  private givenUpIds?: Set<string>;
  /** Resolved once no call is in flight (a draining socket waits on it before closing). */
  private idleWaiters?: (() => void)[];
  /** The shared timeout timer and the deadline it is set for (Infinity: none set). */
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;

  constructor(private readonly rememberGivenUp = 10_000) {}

  get size(): number {
    return this.calls.size;
  }

  has(id: string): boolean {
    return this.calls.has(id);
  }

  /** Registers a call whose frame is about to be sent; the promise settles exactly once. */
  add(id: string, method: string, opts: AddOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const deadline = performance.now() + Math.max(1, Math.ceil(opts.timeoutMs));
      const entry: Entry = { method, resolve, reject, deadline, budgetMs: opts.budgetMs ?? opts.timeoutMs, signal: opts.signal };
      if (opts.signal) {
        const signal = opts.signal;
        entry.onAbort = () => {
          this.giveUp(id);
          reject(cancelledError(signal));
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.calls.set(id, entry);
      if (deadline < this.timerAt) this.arm(deadline);
    });
  }

  resolve(id: string, result: unknown): SettleOutcome {
    const e = this.take(id);
    if (!e) return this.givenUpIds?.has(id) ? 'late' : 'unknown';
    e.resolve(result);
    return 'settled';
  }

  reject(id: string, err: PlatformError): SettleOutcome {
    const e = this.take(id);
    if (!e) return this.givenUpIds?.has(id) ? 'late' : 'unknown';
    e.reject(err);
    return 'settled';
  }

  /** Fails every call in flight (socket closed, platform shutting down). */
  rejectAll(err: PlatformError): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const ids = [...this.calls.keys()];
    for (const id of ids) this.take(id)?.reject(err);
    return ids.length;
  }

  /** Resolves once no call is in flight (at once when none is). */
  idle(): Promise<void> {
    if (this.calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idleWaiters ??= []).push(resolve));
  }

  private take(id: string): Entry | undefined {
    const e = this.calls.get(id);
    if (!e) return undefined;
    this.calls.delete(id);
    if (e.onAbort) e.signal?.removeEventListener('abort', e.onAbort);
    if (this.calls.size === 0 && this.idleWaiters) {
      const waiters = this.idleWaiters;
      this.idleWaiters = undefined;
      // After the caller's own settle: the answer reaches it before the socket starts closing.
      queueMicrotask(() => { for (const w of waiters) w(); });
    }
    return e;
  }

  /**
   * Sets the shared timer for `at`. Unreferenced, so it never holds the process open: an open
   * socket does while its calls are in flight, and a socket that closes fails them (rejectAll).
   */
  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(at - performance.now())));
    this.timer.unref();
  }

  /** Times out every call past its deadline, and sets the timer for the next one, if any. */
  private readonly expire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [id, e] of this.calls) {
      if (e.deadline <= now) {
        this.giveUp(id);
        e.reject(new PlatformError('EPOS_TIMEOUT', `the EPOS did not answer ${e.method} within ${e.budgetMs} ms`));
      } else if (e.deadline < next) {
        next = e.deadline;
      }
    }
    if (next < Infinity) this.arm(next);
  };

  private giveUp(id: string): void {
    this.take(id);
    const givenUp = (this.givenUpIds ??= new Set());
    givenUp.add(id);
    if (givenUp.size > this.rememberGivenUp) {
      const oldest = givenUp.values().next().value;
      if (oldest !== undefined) givenUp.delete(oldest);
    }
  }
}
