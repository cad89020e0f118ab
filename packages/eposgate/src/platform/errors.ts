// Every failure the platform reports, declared once: a stable code, an HTTP status and the wording.
// Code throws these, never ad-hoc strings, so the same cause always reads the same.
import type { FieldIssue } from '@eposgate/contract';

export type { FieldIssue };
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'INVALID_JSON'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'MISSING_AUTHORIZATION'
  | 'MALFORMED_AUTHORIZATION'
  | 'BASE64_API_KEY'
  | 'UNKNOWN_KEY_PREFIX'
  | 'UNKNOWN_API_KEY'
  | 'REVOKED_API_KEY'
  | 'MISSING_SOFTWARE_HOUSE_ID'
  | 'OPERATOR_ACCESS_DISABLED'
  | 'MISSING_TENANT_HEADER'
  | 'MALFORMED_TENANT_HEADER'
  | 'UNKNOWN_TENANT'
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'EVENT_ID_CONFLICT'
  | 'RATE_LIMITED'
  | 'CAPABILITY_NOT_REGISTERED'
  | 'UNKNOWN_CAPABILITY'
  | 'CAPABILITY_PREVIEW'
  | 'EPOS_NOT_CONNECTED'
  | 'EPOS_TIMEOUT'
  | 'EPOS_UNREACHABLE'
  | 'EPOS_BAD_RESPONSE'
  | 'CONTRACT_VIOLATION'
  | 'EPOS_ERROR'
  | 'CALL_CANCELLED'
  | 'JSON_TOO_DEEP'
  | 'REQUEST_TIMEOUT'
  | 'TOO_MANY_SOCKETS'
  | 'TOO_MANY_STREAMS'
  | 'TOO_MANY_FLOWS'
  | 'FORBIDDEN_IN_PRODUCTION'
  | 'FORBIDDEN'
  | 'TARGET_FORBIDDEN'
  | 'SECRET_UNREADABLE'
  | 'STORE_UNAVAILABLE'
  | 'PLATFORM_STOPPING'
  | 'CONSOLE_NOT_BUILT'
  | 'CLUSTER_UNAVAILABLE'
  | 'INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MISSING_AUTHORIZATION: 401,
  MALFORMED_AUTHORIZATION: 401,
  BASE64_API_KEY: 401,
  UNKNOWN_KEY_PREFIX: 401,
  UNKNOWN_API_KEY: 401,
  REVOKED_API_KEY: 401,
  MISSING_SOFTWARE_HOUSE_ID: 400,
  /** A bearer (operator) token sent to a platform with no EPOSGATE_ADMIN_TOKEN configured. */
  OPERATOR_ACCESS_DISABLED: 403,
  /** The operator called a tenant-scoped route without `eposgate-tenant: <accountId>:<env>`. */
  MISSING_TENANT_HEADER: 400,
  MALFORMED_TENANT_HEADER: 400,
  /** The `eposgate-tenant` header names an account/environment that has no API key. */
  UNKNOWN_TENANT: 404,
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  /** A known path asked with a method it does not take (the Allow header lists those it does). */
  METHOD_NOT_ALLOWED: 405,
  /** An event id reused for a different event (type or data) of the same tenant. */
  EVENT_ID_CONFLICT: 409,
  RATE_LIMITED: 429,
  CAPABILITY_NOT_REGISTERED: 501,
  CAPABILITY_PREVIEW: 501,
  UNKNOWN_CAPABILITY: 400,
  EPOS_NOT_CONNECTED: 503,
  EPOS_TIMEOUT: 504,
  EPOS_UNREACHABLE: 502,
  EPOS_BAD_RESPONSE: 502,
  CONTRACT_VIOLATION: 502,
  EPOS_ERROR: 502,
  /** The caller gave up (its AbortSignal fired) before the EPOS answered; nginx's 499. */
  CALL_CANCELLED: 499,
  /** A JSON body nested deeper than limits.jsonDepth. */
  JSON_TOO_DEEP: 400,
  /** The client did not send its whole request within limits.bodyReadTimeoutMs. */
  REQUEST_TIMEOUT: 408,
  /** Per-tenant caps (limits.ts): open EPOS sockets, SSE streams, tester flows in progress. */
  TOO_MANY_SOCKETS: 429,
  TOO_MANY_STREAMS: 429,
  TOO_MANY_FLOWS: 429,
  /** A tester flow that changes data (pays, cancels, locks) asked for with a production key. */
  FORBIDDEN_IN_PRODUCTION: 403,
  /** An operator-only route without the operator token. */
  FORBIDDEN: 403,
  /** A REST target that resolves to a private, loopback, link-local or reserved address. */
  TARGET_FORBIDDEN: 502,
  /** A stored REST password the platform's secret key cannot open (the key changed): re-register. */
  SECRET_UNREADABLE: 503,
  /** The store refused a write (disk full, I/O error); nothing was acknowledged. */
  STORE_UNAVAILABLE: 503,
  /** The platform is draining or stopped: nothing was sent to the EPOS, so retry elsewhere (platformStopping()). */
  PLATFORM_STOPPING: 503,
  /** The web console's files are not built (sources run without `npm run build`). */
  CONSOLE_NOT_BUILT: 503,
  /** The EPOS socket may be on another node, which this node cannot reach now (the cluster bus is down). */
  CLUSTER_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Every error code, for inputs that name one (the call log's status filter). */
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(STATUS) as ErrorCode[];

export class PlatformError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: FieldIssue[];
  /** Extra fields merged into the JSON body (e.g. the EPOSError an EPOS sent). */
  readonly extra?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { details?: FieldIssue[]; extra?: Record<string, unknown>; status?: number } = {}) {
    super(message);
    this.name = 'PlatformError';
    this.code = code;
    this.status = opts.status ?? STATUS[code];
    this.details = opts.details;
    this.extra = opts.extra;
  }

  toJSON(traceId?: string): Record<string, unknown> {
    return {
      error: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
      ...(this.extra ?? {}),
      ...(traceId ? { traceId } : {}),
    };
  }
}

export function isPlatformError(e: unknown): e is PlatformError {
  return e instanceof PlatformError;
}

/**
 * The one way a request's input is refused: VALIDATION_FAILED whose message leads with the first
 * issue's path, and whose details list every issue. Route schemas (server/validation.ts) and the
 * checks a schema cannot express (names, URLs, limits) both report through it.
 */
export function validationFailed(issues: readonly FieldIssue[]): PlatformError {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new PlatformError('VALIDATION_FAILED', `${first.path}: ${first.message}${more}`, { details: [...issues] });
}

/** The JSON type of a value, as an issue's `actual` names it when the value itself is not quoted. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Seconds a caller refused by a stopping platform is told to wait (Retry-After): a peer node, or this one restarted, serves by then. */
export const STOPPING_RETRY_AFTER_S = 1;

/**
 * The one error every way the platform stops reaches a caller with: an HTTP call or an EPOS upgrade
 * refused while draining, a call still waiting when the drain deadline passes, a tester flow cut
 * short, an event stream opened while stopping. `detail` words the context; the code never varies.
 */
export function platformStopping(detail = 'platform shutting down'): PlatformError {
  return new PlatformError('PLATFORM_STOPPING', detail);
}

/** The headers sent with PLATFORM_STOPPING, so a load balancer retries on another node. */
export const STOPPING_HEADERS: Readonly<Record<string, string>> = {
  'retry-after': String(STOPPING_RETRY_AFTER_S),
  connection: 'close',
};
