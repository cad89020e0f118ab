// Requestor headers on the product-facing API, named as the REST contract names them.
import type { IncomingHttpHeaders } from 'node:http';
import { REST_HEADER_NAMES } from '@eposgate/contract';
import type { RequestorHeaders } from '../transports/transport.ts';

const HEADER_FIELDS = Object.entries(REST_HEADER_NAMES) as [keyof RequestorHeaders, string][];

export function requestorFrom(headers: IncomingHttpHeaders): RequestorHeaders {
  const out: RequestorHeaders = {};
  for (const [field, header] of HEADER_FIELDS) {
    const v = headers[header];
    const s = Array.isArray(v) ? v[0] : v;
    if (s) out[field] = s;
  }
  return out;
}
