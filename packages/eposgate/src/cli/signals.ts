// How a long-running command stops: the first SIGTERM or SIGINT drains (docs/cluster.md, "Drain") and
// exits 0 once done; a second one, from an operator who will not wait, exits at once.
import { constants } from 'node:os';
import type { Logger } from 'pino';

/** Installs the handlers; `drain` finishes the calls in flight and closes everything. */
export function drainOnSignals(log: Pick<Logger, 'info' | 'warn' | 'error'>, drain: () => Promise<void>): void {
  let draining = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (draining) {
      log.warn({ sig }, 'second signal: exiting without finishing the drain');
      // The shell's convention for "ended by a signal": 130 for SIGINT, 143 for SIGTERM.
      process.exit(128 + constants.signals[sig]);
    }
    draining = true;
    log.info({ sig }, 'shutting down: draining (send the signal again to exit at once)');
    drain().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'the drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
