// The one way the console calls the platform: fetch with the session's credentials, JSON both
// ways, the platform's error body turned into an ApiError. Each API area has its own small typed
// module beside this one (console-api.md); pages import those, never fetch.
import { authHeaders, loadSession } from '../session.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The platform's stable code (VALIDATION_FAILED, NOT_FOUND…), or NETWORK / BAD_ANSWER. */
    readonly code: string,
    message: string,
    readonly traceId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /**
   * The route itself does not exist on this platform (an older or partial build): the platform's
   * 404 for an unknown route says "No route …", unlike a 404 for an unknown id on a route it has.
   */
  get notAvailable(): boolean {
    return this.status === 404 && this.message.startsWith('No route ');
  }

  /** The credentials are wrong, revoked or not allowed here: the console signs out. */
  get signsOut(): boolean {
    return this.status === 401 || (this.status === 403 && this.code === 'FORBIDDEN');
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** Called with the error whenever an answer says the credentials no longer work. */
let onSignedOut: (err: ApiError) => void = () => {};
export function whenSignedOut(fn: (err: ApiError) => void): void {
  onSignedOut = fn;
}

export function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Credentials other than the stored session's (sign-in checks a key before keeping it). */
  headers?: Record<string, string>;
  /** Leave 401/403 to the caller instead of signing out (the sign-in form). */
  quiet?: boolean;
}

export async function request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
  const session = loadSession();
  const headers: Record<string, string> = { accept: 'application/json', ...(session ? authHeaders(session) : {}), ...o.headers };
  let body: string | undefined;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, o.query), { method, headers, body, credentials: 'omit', cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `The platform did not answer: ${(err as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const e = (parsed ?? {}) as { error?: unknown; message?: unknown; traceId?: unknown };
    const err = new ApiError(
      res.status,
      typeof e.error === 'string' ? e.error : `HTTP_${res.status}`,
      typeof e.message === 'string' ? e.message : `${method} ${path} answered ${res.status}`,
      typeof e.traceId === 'string' ? e.traceId : undefined,
    );
    if (err.signsOut && !o.quiet) onSignedOut(err);
    throw err;
  }
  if (text && parsed === undefined) throw new ApiError(res.status, 'BAD_ANSWER', `${method} ${path} did not answer JSON`);
  return parsed as T;
}

/** Paged lists (console-api.md): an opaque cursor, and `nextCursor` only when more rows exist. */
export interface Page {
  cursor?: string;
  limit?: number;
}
