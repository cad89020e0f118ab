// The platform's error body as a schema, for route responses (PlatformError.toJSON writes it).
import { Type } from '@sinclair/typebox';

export const FieldIssueSchema = Type.Object({
  path: Type.String({ description: 'JSON path of the offending value, e.g. $.capabilities[0].name' }),
  message: Type.String(),
  expected: Type.Optional(Type.String()),
  actual: Type.Optional(Type.Unknown()),
  suggestion: Type.Optional(Type.String({ description: 'the nearest valid value ("did you mean")' })),
});

export const PlatformErrorBody = Type.Object({
  error: Type.String({ description: 'stable error code, e.g. CAPABILITY_NOT_REGISTERED' }),
  message: Type.String(),
  details: Type.Optional(Type.Array(FieldIssueSchema)),
  traceId: Type.Optional(Type.String({ description: 'also in the x-trace-id header; quote it when reporting' })),
}, { additionalProperties: true });
