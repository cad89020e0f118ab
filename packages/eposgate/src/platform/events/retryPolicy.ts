// How a failed delivery is judged: when the next try is, and whether there is one at all.
import { backoffDelay } from '@eposgate/contract';
import { isPlatformError } from '../errors.ts';

export interface RetryPolicy {
  /** Delay after the first failed attempt; doubles with each further one. */
  baseMs: number;
  /** Ceiling of the delay. */
  maxMs: number;
  /** Attempts (calls that reached for the EPOS) before an event is dead-lettered as `failed`. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 500, maxMs: 5 * 60_000, maxAttempts: 20 };

/** Delay before the next attempt after `attempts` failed ones: the contract's backoff, read with this policy. */
export function backoffMs(policy: RetryPolicy, attempts: number, random: () => number = Math.random): number {
  return backoffDelay(attempts - 1, { minMs: policy.baseMs, maxMs: policy.maxMs }, random);
}

/** What the worker does with a delivery that threw. */
export type Verdict =
  /** Try again later; counts as an attempt. */
  | { kind: 'retry' }
  /** No EPOS socket: wait for the EPOS to connect (or the longest delay); not an attempt. */
  | { kind: 'wait' }
  /** The capability is no longer registered: stop, status `skipped`. */
  | { kind: 'skip'; reason: 'not-registered' }
  /** Retrying cannot help: status `failed` at once. */
  | { kind: 'fail'; reason: 'rejected' }
  /** The platform is stopping: put it back untouched. */
  | { kind: 'requeue' }
  /**
   * This node lost the cluster bus and cannot reach the node holding the socket: the call never
   * reached the EPOS, so not an attempt; due again after the backoff, for any node to take.
   */
  | { kind: 'handOff' };

export function judge(err: unknown): Verdict {
  if (!isPlatformError(err)) return { kind: 'retry' };
  switch (err.code) {
    case 'EPOS_NOT_CONNECTED':
      return { kind: 'wait' };
    case 'CAPABILITY_NOT_REGISTERED':
      return { kind: 'skip', reason: 'not-registered' };
    case 'PLATFORM_STOPPING':
    case 'CALL_CANCELLED':
      return { kind: 'requeue' };
    case 'CLUSTER_UNAVAILABLE':
      return { kind: 'handOff' };
    // The event itself is wrong for the contract or the EPOS: the same bytes would be refused again.
    case 'VALIDATION_FAILED':
    case 'UNKNOWN_CAPABILITY':
    case 'CAPABILITY_PREVIEW':
      return { kind: 'fail', reason: 'rejected' };
    case 'EPOS_ERROR': {
      const type = (err.extra?.eposError as { errorType?: unknown } | undefined)?.errorType;
      return type === 'InvalidRequest' ? { kind: 'fail', reason: 'rejected' } : { kind: 'retry' };
    }
    // EPOS_TIMEOUT, EPOS_UNREACHABLE, EPOS_BAD_RESPONSE, CONTRACT_VIOLATION, INTERNAL, …
    default:
      return { kind: 'retry' };
  }
}
