// Reconnect delays: exponential from `minMs`, capped at `maxMs`, with "equal jitter" (half fixed,
// half random) so a fleet of EPOS installs does not reconnect in lockstep after a platform restart.
export interface BackoffOptions {
  minMs?: number;
  maxMs?: number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const min = Math.max(1, opts.minMs ?? 500);
  const max = Math.max(min, opts.maxMs ?? 30_000);
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
