// Bounded waits for shutdown: a drain waits for work in flight, but never past its deadline.

/** Waits for `work` to settle, `ms` at most; answers whether it settled in time. Never rejects. */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), Math.max(0, ms)); timer.unref(); });
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds left until `deadline` (a Date.now() value), never negative. */
export function msLeft(deadline: number): number {
  return Math.max(0, deadline - Date.now());
}

/** `work`'s value, or a rejection naming `what` once `ms` have passed without one (the timer never holds the process). */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), Math.max(0, ms));
    timer.unref();
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
