// Compiles the contract's checks of capabilities before their first call needs them. Compiled on
// that first call instead, an order's result check (~50 ms, more on a loaded machine) holds up
// every request in flight behind it; on a platform under load such a stall left V8 promoting every
// later request's objects to the old generation for the rest of the process (~1.3 MB a scavenge
// instead of ~5 KB: BENCHMARKS.md, ninth pass). The platform warms what its store holds
// registered when it starts and what a registration adds; the SDK warms what it implements when
// it goes online.
import { prepareValidators } from './validate.ts';

export interface WarmupOptions {
  /** Which checks to compile (a check that is never run is not compiled). */
  params: boolean;
  result: boolean;
}

export class ValidatorWarmup {
  /** Capabilities compiled or queued: each is compiled once. */
  private readonly seen = new Set<string>();
  private readonly queue: string[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Capabilities of the catalogue whose checks this warm-up compiled (or found compiled). */
  readonly compiled = new Set<string>();

  constructor(private readonly which: WarmupOptions) {}

  /**
   * Queues these capabilities' checks, compiled one capability per macrotask so that no single
   * turn of the event loop holds calls up for the whole list. The queue does not keep a process
   * alive (unless idle() is awaited): one that is done before it leaves the rest uncompiled.
   */
  prepare(names: Iterable<string>): void {
    if (this.stopped || (!this.which.params && !this.which.result)) return;
    for (const n of names) {
      if (this.seen.has(n)) continue;
      this.seen.add(n);
      this.queue.push(n);
    }
    this.schedule();
  }

  /** Resolves once nothing is queued; until then the queue keeps the process alive. */
  idle(): Promise<void> {
    if (!this.timer) return Promise.resolve();
    this.timer.ref();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what is queued; prepare() does nothing from now on. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wake();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const name = this.queue.shift()!;
      try {
        if (prepareValidators(name, this.which)) this.compiled.add(name);
      } catch {
        // A schema that does not compile fails the call that needs it, with its error, as before.
      }
      if (this.queue.length > 0) this.schedule();
      else this.wake();
    }, 0);
    if (this.idleWaiters.length === 0) this.timer.unref();
  }

  private wake(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
