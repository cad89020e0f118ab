// JSON-RPC 2.0 framing for the EPOS WebSocket: encode what the platform sends, classify what the
// EPOS sends back. Pure: no sockets, no logging, no platform errors.
import { isEposError, type EPOSError } from './eposError.ts';
import { jsonDeeperThan } from './jsonDepth.ts';
import type { RequestorHeaders } from './entities.ts';
import { requestorFromWire } from './requestor.ts';

export const JSONRPC_VERSION = '2.0';

/** Standard JSON-RPC error codes the platform itself emits. */
export const RPC_METHOD_NOT_FOUND = -32601;

export interface JsonRpcRequest {
  jsonrpc: typeof JSONRPC_VERSION;
  id: string;
  method: string;
  params: Record<string, unknown> & { headers: RequestorHeaders };
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** What a frame from the EPOS turned out to be. */
export type ParsedFrame =
  | { kind: 'result'; id: string; result: unknown }
  | { kind: 'error'; id: string; error: { eposError: EPOSError } | { rpcError: JsonRpcErrorObject } }
  | { kind: 'request'; id: string | number | null; method: string; params: unknown }
  | { kind: 'notification'; method: string; params: unknown }
  /** `id` is set when the frame carried a usable one, so the matching call can be failed. */
  | { kind: 'invalid'; reason: string; id?: string };

/**
 * The params object as sent: the request fields plus a `headers` object that is always present
 * and holds only the keys that are known (non-empty strings).
 */
export function paramsWithHeaders(params: Record<string, unknown>, headers: RequestorHeaders): JsonRpcRequest['params'] {
  // A copy, then a store: in a literal, a property after a spread is defined in the runtime (every call).
  const out: Record<string, unknown> = { ...params };
  out.headers = requestorFromWire(headers);
  return out as JsonRpcRequest['params'];
}

/** Throws (TypeError for a BigInt or a cycle, RangeError for deep nesting) when params are not JSON. */
export function encodeRequest(id: string, method: string, params: JsonRpcRequest['params']): string {
  const frame: JsonRpcRequest = { jsonrpc: JSONRPC_VERSION, id, method, params };
  return JSON.stringify(frame);
}

export function encodeErrorResponse(id: string | number | null, code: number, message: string): string {
  return JSON.stringify({ jsonrpc: JSONRPC_VERSION, id, error: { code, message } });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRpcErrorObject(v: unknown): v is JsonRpcErrorObject {
  return isObject(v) && typeof v.code === 'number' && Number.isInteger(v.code) && typeof v.message === 'string';
}

/** Our ids are strings; an EPOS echoing a number is tolerated and matched by its string form. */
function usableId(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export interface ParseOptions {
  /** Deepest nesting accepted; a deeper frame is `invalid` without being parsed. */
  maxDepth?: number;
}

/**
 * Classifies one text frame. A frame carrying `result` or `error` is a response even if it also
 * carries `method` (the AsyncAPI lists `method` on responses); otherwise `method` makes it a
 * request (with `id`) or a notification (without).
 */
export function parseFrame(text: string, opts: ParseOptions = {}): ParsedFrame {
  if (opts.maxDepth !== undefined && jsonDeeperThan(text, opts.maxDepth)) {
    // Not parsed (a recursive parser is what deep nesting attacks); the id is still looked for,
    // so the call it answers fails now instead of at its timeout.
    const id = topLevelId(text);
    const reason = `frame nests objects/arrays deeper than ${opts.maxDepth} levels (limits.jsonDepth)`;
    return id === undefined ? { kind: 'invalid', reason } : { kind: 'invalid', reason, id };
  }
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'frame is not JSON' };
  }
  if (Array.isArray(msg)) return { kind: 'invalid', reason: 'batch frames (JSON arrays) are not supported' };
  if (!isObject(msg)) return { kind: 'invalid', reason: 'frame is not a JSON object' };

  const id = usableId(msg.id);
  const withId = (reason: string): ParsedFrame => (id === undefined ? { kind: 'invalid', reason } : { kind: 'invalid', reason, id });

  if (msg.jsonrpc !== JSONRPC_VERSION) {
    return withId(msg.jsonrpc === undefined ? 'missing "jsonrpc": "2.0"' : `"jsonrpc" is ${shortJson(msg.jsonrpc)}, expected "2.0"`);
  }

  const hasResult = 'result' in msg;
  const hasError = 'error' in msg;
  if (hasResult || hasError) {
    if (hasResult && hasError) return withId('response carries both "result" and "error"');
    if (id === undefined) return { kind: 'invalid', reason: 'response has no usable "id" (a non-empty string)' };
    if (hasResult) return { kind: 'result', id, result: msg.result };
    const err = msg.error;
    if (isEposError(err)) return { kind: 'error', id, error: { eposError: err } };
    if (isRpcErrorObject(err)) return { kind: 'error', id, error: { rpcError: err } };
    return withId('"error" is neither an EPOSError ({errorType, debugMessage?, traceId?}) nor a JSON-RPC error ({code, message})');
  }

  if (typeof msg.method === 'string') {
    if (!('id' in msg)) return { kind: 'notification', method: msg.method, params: msg.params };
    const rid = msg.id;
    if (typeof rid === 'string' || typeof rid === 'number' || rid === null) {
      return { kind: 'request', id: rid, method: msg.method, params: msg.params };
    }
    return { kind: 'invalid', reason: 'request "id" is not a string, number or null' };
  }
  return withId('frame has neither "result", "error" nor "method"');
}

/** A value's JSON, cut short: it goes into an error message. */
function shortJson(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The `id` member of the top-level object in JSON text, found by a scan without parsing (for
 * frames too deep to parse); undefined when there is none or it is not a usable id.
 */
export function topLevelId(text: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
      if (depth !== 1 || text.slice(start, i + 1) !== '"id"') continue;
      const m = /^\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i + 1, i + 1 + 1100));
      if (!m) continue;
      try {
        return usableId(JSON.parse(m[1]));
      } catch {
        return undefined;
      }
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return undefined;
}
