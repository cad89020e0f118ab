// How a capability's params map onto its REST operation, and the harmless REST answer variants the
// contract accepts. Kept here so every transport and the cross-check test read the same rule.
import type { CapabilityDef, HttpMethod } from './catalogue.ts';

const PLACEHOLDER = /\{([^}]+)\}/g;

/** Names of the `{placeholders}` of a route path, in order. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

export interface RestRequest {
  method: HttpMethod;
  /** Path with placeholders filled in (URI-encoded), relative to the EPOS base URL. */
  path: string;
  /** JSON body: the params minus the path params; absent for GET and DELETE. */
  body?: Record<string, unknown>;
}

/**
 * Splits params into the REST path and body: the route's placeholders are taken from the params
 * (and removed), the remaining fields are the body. GET and DELETE carry no body.
 * Throws when a placeholder has no string/number value in the params.
 */
export function restRequest(def: Pick<CapabilityDef, 'name' | 'rest'>, params: Record<string, unknown> = {}): RestRequest {
  if (!def.rest) throw new Error(`capability ${def.name} has no REST operation`);
  const rest: Record<string, unknown> = { ...params };
  const path = def.rest.path.replace(PLACEHOLDER, (_m, name: string) => {
    const v = rest[name];
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new Error(`capability ${def.name}: path parameter "${name}" missing from params`);
    }
    delete rest[name];
    return encodeURIComponent(String(v));
  });
  const hasBody = def.rest.method === 'POST' || def.rest.method === 'PUT';
  return hasBody ? { method: def.rest.method, path, body: rest } : { method: def.rest.method, path };
}

/**
 * Normalises a REST 200 body to the shape the WS result has:
 * - an empty body (`undefined`, `null`, `''`) of a capability answering nothing becomes `{}`;
 * - a one-element array is unwrapped for a capability whose row says `restResultInArray` (SearchTables:
 *   how the REST spec types its 200, a slip).
 * Everything else is returned unchanged, for the result validator to judge.
 */
export function normalizeRestResult(def: Pick<CapabilityDef, 'result' | 'restResultInArray'>, body: unknown): unknown {
  if (body === undefined || body === null || body === '') {
    return acceptsNull(def.result) ? {} : body;
  }
  if (def.restResultInArray && Array.isArray(body) && body.length === 1) return body[0];
  return body;
}

function acceptsNull(schema: unknown): boolean {
  const s = schema as { type?: unknown; anyOf?: unknown[] };
  if (s?.type === 'null') return true;
  return Array.isArray(s?.anyOf) && s.anyOf.some(acceptsNull);
}
