// Requestor headers on the product-facing API, as the REST contract names them.
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestorHeaders } from '../transports/transport.ts';

const HEADER_FIELDS = [
  ['waiter-id', 'waiterId'],
  ['dojo-requesting-product', 'dojoRequestingProduct'],
  ['device-id', 'deviceId'],
  ['device-type', 'deviceType'],
] as const;

export function requestorFrom(headers: IncomingHttpHeaders): RequestorHeaders {
  const out: RequestorHeaders = {};
  for (const [header, field] of HEADER_FIELDS) {
    const v = headers[header];
    const s = Array.isArray(v) ? v[0] : v;
    if (s) out[field] = s;
  }
  return out;
}
