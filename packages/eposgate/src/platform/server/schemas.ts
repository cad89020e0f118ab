// Schemas every platform route shares: the error body, its field issues, and the answers common to
// all routes behind an API key. Route modules declare their own bodies beside their handlers.
import { Type, type TSchema } from '@sinclair/typebox';

/** One problem with the input: where, what was expected, what was there (errors.ts, FieldIssue). */
export const FieldIssueSchema = Type.Object({
  path: Type.String({ description: 'JSON path of the field, e.g. $.capabilities[0].name or $.query.limit' }),
  message: Type.String(),
  expected: Type.Optional(Type.String()),
  actual: Type.Optional(Type.Unknown()),
  suggestion: Type.Optional(Type.String({ description: 'The closest valid value, for a misspelt name' })),
});

/** Every error the platform answers (PlatformError.toJSON): a stable code, the wording, the trace id. */
export const ErrorBody = Type.Object({
  error: Type.String({ description: 'Stable error code, e.g. VALIDATION_FAILED' }),
  message: Type.String(),
  details: Type.Optional(Type.Array(FieldIssueSchema)),
  traceId: Type.Optional(Type.String()),
}, { additionalProperties: true });

/** The error answers a route may give, by status. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

/** What any route behind an API key may answer besides its own: bad input, no or a bad key, too fast. */
export const AUTHENTICATED_ERRORS = [400, 401, 429] as const;

/** An id in a path: every path parameter names one entity (bounded by limits.idChars in app.ts). */
export const IdParam = (name: string) => Type.Object({ [name]: Type.String() });
