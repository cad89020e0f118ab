// Retry delays, shared by the SDK (reconnecting to the platform) and the platform (redelivering
// events): exponential from `minMs`, capped at `maxMs`, with "equal jitter" (half fixed, half
// random) so a crowd of EPOSes coming back after a restart does not retry in lockstep.
export interface BackoffOptions {
  /** Ceiling of the first retry (default 500 ms); doubles with each further one. */
  minMs?: number;
  /** Ceiling of every retry (default 30 s). */
  maxMs?: number;
}

/** Delay before retry number `retry` (0 for the first), in ms. */
export function backoffDelay(retry: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const min = Math.max(1, opts.minMs ?? 500);
  const max = Math.max(min, opts.maxMs ?? 30_000);
  // The exponent is bounded so a long outage never overflows to Infinity.
  const ceiling = Math.min(max, min * 2 ** Math.max(0, Math.min(retry, 40)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
