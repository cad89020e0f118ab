import type { FieldIssue } from '@eposgate/contract';
export type { FieldIssue };
export type ErrorCode = 'BAD_REQUEST' | 'INVALID_JSON' | 'BODY_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'MISSING_AUTHORIZATION' | 'MALFORMED_AUTHORIZATION' | 'BASE64_API_KEY' | 'UNKNOWN_KEY_PREFIX' | 'UNKNOWN_API_KEY' | 'REVOKED_API_KEY' | 'MISSING_SOFTWARE_HOUSE_ID' | 'VALIDATION_FAILED' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'EVENT_ID_CONFLICT' | 'RATE_LIMITED' | 'CAPABILITY_NOT_REGISTERED' | 'UNKNOWN_CAPABILITY' | 'CAPABILITY_PREVIEW' | 'EPOS_NOT_CONNECTED' | 'EPOS_TIMEOUT' | 'EPOS_UNREACHABLE' | 'EPOS_BAD_RESPONSE' | 'CONTRACT_VIOLATION' | 'EPOS_ERROR' | 'CALL_CANCELLED' | 'JSON_TOO_DEEP' | 'REQUEST_TIMEOUT' | 'TOO_MANY_SOCKETS' | 'TOO_MANY_STREAMS' | 'TOO_MANY_FLOWS' | 'FORBIDDEN_IN_PRODUCTION' | 'FORBIDDEN' | 'TARGET_FORBIDDEN' | 'SECRET_UNREADABLE' | 'STORE_UNAVAILABLE' | 'INTERNAL';
export declare class PlatformError extends Error {
    readonly code: ErrorCode;
    readonly status: number;
    readonly details?: FieldIssue[];
    /** Extra fields merged into the JSON body (e.g. the EPOSError an EPOS sent). */
    readonly extra?: Record<string, unknown>;
    constructor(code: ErrorCode, message: string, opts?: {
        details?: FieldIssue[];
        extra?: Record<string, unknown>;
        status?: number;
    });
    toJSON(traceId?: string): Record<string, unknown>;
}
export declare function isPlatformError(e: unknown): e is PlatformError;
