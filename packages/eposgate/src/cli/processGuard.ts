// The last line of defence of a long-running command: an error nothing caught is logged and the
// process keeps serving its other tenants, instead of Node exiting on one tenant's bad input.
// Installed by the CLI commands only: startPlatform leaves it out so tests still see such errors.
import type { Logger } from 'pino';

/** Logs unhandled rejections and uncaught exceptions ("unexpected error") instead of exiting. Returns an uninstall. */
export function installProcessGuard(log: Pick<Logger, 'error'>): () => void {
  const onRejection = (reason: unknown) => {
    log.error({ err: reason, kind: 'unhandledRejection' }, 'unexpected error');
  };
  const onException = (err: Error, origin: string) => {
    log.error({ err, kind: origin }, 'unexpected error');
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
