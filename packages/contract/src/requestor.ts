// Requestor headers on each transport, read off the one table (REST_HEADER_NAMES in entities.ts):
// picked from a JSON-RPC `params.headers`, read from HTTP request headers, written as HTTP headers.
import { REST_HEADER_NAMES, type RequestorField, type RequestorHeaders } from './entities.ts';

const FIELDS = Object.keys(REST_HEADER_NAMES) as RequestorField[];
const HEADER_OF = Object.entries(REST_HEADER_NAMES) as [RequestorField, string][];

/** The REST header names in table order, for documents that list them (the OpenAPI). */
export const REQUESTOR_REST_HEADERS: readonly string[] = Object.values(REST_HEADER_NAMES);

/** The known fields of a `params.headers` value that are non-empty strings; anything else is dropped. */
export function requestorFromWire(v: unknown): RequestorHeaders {
  const out: RequestorHeaders = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const f of FIELDS) {
    const s = (v as Record<string, unknown>)[f];
    if (typeof s === 'string' && s !== '') out[f] = s;
  }
  return out;
}

/** From HTTP request headers (names lower-cased, as node gives them); a repeated header counts once. */
export function requestorFromHttp(headers: Readonly<Record<string, string | string[] | undefined>>): RequestorHeaders {
  const out: RequestorHeaders = {};
  for (const [f, header] of HEADER_OF) {
    const v = headers[header];
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === 'string' && s !== '') out[f] = s;
  }
  return out;
}

/** As HTTP headers of a REST call: the fields that are set (non-empty), under their header names. */
export function requestorToHttp(r: RequestorHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [f, header] of HEADER_OF) {
    const v = r[f];
    if (typeof v === 'string' && v !== '') out[header] = v;
  }
  return out;
}
