// How an EPOS's own answers become platform errors; shared by the WS and REST transports so the
// same cause reads the same whichever way the EPOS is reached.
import type { EPOSError } from '../../contract/eposError.ts';
import { PlatformError, isPlatformError } from '../errors.ts';

/** An EPOSError the EPOS sent (JSON-RPC `error` or a non-2xx REST body). */
export function eposErrorToPlatform(eposError: EPOSError, extra: Record<string, unknown> = {}): PlatformError {
  const detail = eposError.debugMessage ? `: ${eposError.debugMessage}` : '';
  return new PlatformError('EPOS_ERROR', `EPOS answered ${eposError.errorType}${detail}`, { extra: { ...extra, eposError } });
}

/** The caller's AbortSignal fired: its reason if that is already a PlatformError, else CALL_CANCELLED. */
export function cancelledError(signal: AbortSignal): PlatformError {
  if (isPlatformError(signal.reason)) return signal.reason;
  return new PlatformError('CALL_CANCELLED', 'the call was cancelled by its caller before the EPOS answered');
}

/** A short, single-line excerpt of a body for error messages and logs. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
