import type { EPOSError } from '@eposgate/contract';
import { PlatformError } from '../errors.ts';
/**
 * Longest debugMessage and traceId passed on from an EPOSError: the product sees the EPOS's own
 * words, but one frame (up to limits.frameBytes) is not echoed back whole (docs/limits.md).
 */
export declare const EPOS_ERROR_TEXT_CHARS = 1024;
/** An EPOSError the EPOS sent (JSON-RPC `error` or a non-2xx REST body). */
export declare function eposErrorToPlatform(sent: EPOSError, extra?: Record<string, unknown>): PlatformError;
/** The caller's AbortSignal fired: its reason if that is already a PlatformError, else CALL_CANCELLED. */
export declare function cancelledError(signal: AbortSignal): PlatformError;
/** A short, single-line excerpt of a body for error messages and logs. */
export declare function excerpt(text: string, max?: number): string;
/** True when a JSON key names something secret-like, whose value an error never quotes. */
export declare function isSecretKey(key: string): boolean;
/**
 * At most `max` characters of `value` as JSON, the values of secret-like keys replaced by
 * "[redacted]". Stops walking once the excerpt is full, so its cost is bounded by `max`, not by the value.
 */
export declare function redactedExcerpt(value: unknown, max: number): string;
/** A short excerpt of a raw answer body: JSON is redacted by key, other text by `key=value` / `"key": value` patterns. */
export declare function redactedBodyExcerpt(text: string, max: number): string;
