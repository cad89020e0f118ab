// How an EPOS's own answers become platform errors; shared by the WS and REST transports so the
// same cause reads the same whichever way the EPOS is reached.
import type { EPOSError } from '@eposgate/contract';
import { PlatformError, isPlatformError } from '../errors.ts';
import { clip } from '../limits.ts';
import { isSecretKey, redactedExcerpt, REDACTED } from '../redaction.ts';

/**
 * Longest debugMessage and traceId passed on from an EPOSError: the product sees the EPOS's own
 * words, but one frame (up to limits.frameBytes) is not echoed back whole (docs/limits.md).
 */
export const EPOS_ERROR_TEXT_CHARS = 1024;

/** An EPOSError the EPOS sent (JSON-RPC `error` or a non-2xx REST body). */
export function eposErrorToPlatform(sent: EPOSError, extra: Record<string, unknown> = {}): PlatformError {
  const eposError: EPOSError = { errorType: sent.errorType };
  if (typeof sent.debugMessage === 'string') eposError.debugMessage = clip(sent.debugMessage, EPOS_ERROR_TEXT_CHARS);
  if (typeof sent.traceId === 'string') eposError.traceId = clip(sent.traceId, EPOS_ERROR_TEXT_CHARS);
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

/** A short excerpt of a raw answer body: JSON is redacted by key, other text by `key=value` / `"key": value` patterns. */
export function redactedBodyExcerpt(text: string, max: number): string {
  const trimmed = text.trim();
  if (/^[[{]/.test(trimmed)) {
    try {
      return redactedExcerpt(JSON.parse(trimmed), max);
    } catch { /* not JSON: treat as text */ }
  }
  // Redact within a window a little larger than the excerpt, so a cut does not split a secret out of its key.
  const window = text.slice(0, max * 2 + 256).replace(/("?)([A-Za-z0-9_-]+)\1(\s*[:=]\s*)("[^"]*"?|[^\s&,;}]+)/g,
    (m, q: string, key: string, sep: string) => (isSecretKey(key) ? `${q}${key}${q}${sep}${REDACTED}` : m));
  return excerpt(window, max);
}
