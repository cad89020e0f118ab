// The error an EPOS returns (REST body or JSON-RPC `error`), as the contract defines it.
import { Type, type Static } from '@sinclair/typebox';

export const EPOS_ERROR_TYPES = ['NotFound', 'InvalidRequest', 'Conflict', 'UnexpectedError'] as const;
export type EposErrorType = (typeof EPOS_ERROR_TYPES)[number];

export const EPOSErrorType = Type.Union(EPOS_ERROR_TYPES.map((t) => Type.Literal(t)));

export const EPOSError = Type.Object({
  errorType: EPOSErrorType,
  debugMessage: Type.Optional(Type.String()),
  traceId: Type.Optional(Type.String()),
});
export type EPOSError = Static<typeof EPOSError>;

/** HTTP status the product-facing API answers for each EPOS error type. */
export const EPOS_ERROR_STATUS: Record<EposErrorType, number> = {
  NotFound: 404,
  InvalidRequest: 400,
  Conflict: 409,
  UnexpectedError: 502,
};

export function isEposError(v: unknown): v is EPOSError {
  return (
    typeof v === 'object' && v !== null &&
    typeof (v as { errorType?: unknown }).errorType === 'string' &&
    (EPOS_ERROR_TYPES as readonly string[]).includes((v as { errorType: string }).errorType)
  );
}
