// The one error a handler throws on purpose. Anything else a handler throws is answered as
// UnexpectedError, with no message or stack leaving the EPOS.
import { EPOS_ERROR_TYPES, type EPOSError, type EposErrorType } from '@eposgate/contract';

export class EposError extends Error {
  readonly errorType: EposErrorType;
  readonly traceId?: string;

  constructor(errorType: EposErrorType, debugMessage?: string, opts: { traceId?: string } = {}) {
    if (!(EPOS_ERROR_TYPES as readonly string[]).includes(errorType)) {
      throw new TypeError(`EposError: unknown errorType ${JSON.stringify(errorType)}; use one of ${EPOS_ERROR_TYPES.join(', ')}`);
    }
    super(debugMessage ?? errorType);
    this.name = 'EposError';
    this.errorType = errorType;
    this.traceId = opts.traceId;
  }

  /** The wire form: a REST body or a JSON-RPC `error` member. */
  toJSON(): EPOSError {
    const out: EPOSError = { errorType: this.errorType, debugMessage: this.message };
    if (this.traceId) out.traceId = this.traceId;
    return out;
  }
}

/** HTTP status an EPOS answers for each error type over REST. */
export const REST_STATUS: Record<EposErrorType, number> = {
  NotFound: 404,
  InvalidRequest: 400,
  Conflict: 409,
  UnexpectedError: 500,
};
