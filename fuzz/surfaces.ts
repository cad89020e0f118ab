// The HTTP surfaces the fuzzer attacks, each an arbitrary of requests: registration, /epos/data
// (every catalogue route, params from the contract's schemas), events (both directions), the
// tester, and auth headers. Each says which 5xx answers are documented outcomes rather than faults.
import fc from 'fast-check';
import { CAPABILITIES, registrableNames, type Capability } from '../packages/contract/src/catalogue.ts';
import { pathParamNames } from '../packages/contract/src/rest.ts';
import { RaiseEventBody } from '../packages/eposgate/src/platform/events/outbound.ts';
import { DATA_PREFIX, proxiedCapabilities } from '../packages/eposgate/src/platform/proxy/proxied.ts';
import { bodyText, mutatedOf, nasty, validOf } from './arbitraries.ts';
import type { FuzzKeys } from './platform.ts';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Surface {
  name: string;
  requests(keys: FuzzKeys, ctx: SurfaceContext): fc.Arbitrary<FuzzRequest>;
  /** A 5xx with this body is a documented outcome on this surface (e.g. an EPOS timing out), not a fault. */
  allowed5xx?(status: number, body: Record<string, unknown> | undefined): boolean;
}

export interface SurfaceContext {
  /** Tester flow names, as GET /epos-tester-tool/flows lists them. */
  flows: string[];
}

/** encodeURIComponent that never throws: a lone surrogate goes as the bytes of U+FFFD. */
function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}

const auth = (key: string) => ({ authorization: `Basic ${key}`, 'software-house-id': 'fuzz-till', 'content-type': 'application/json' });

/** Headers for a request without a body: no content-type (an empty JSON body is refused, rightly). */
function noBody(h: Record<string, string>): Record<string, string> {
  const { 'content-type': _ct, ...rest } = h;
  return rest;
}

/** A path segment: usually a plausible id, sometimes something hostile (still a valid URL). */
const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map(encodeSegment) },
  { weight: 1, arbitrary: fc.constantFrom('ord-1', 'o-1', '%00', '%ZZ', '..', '%2e%2e', '%2F', 'a;b', '%F0%9F%92%A5', '%ED%A0%80', '0', '-1', 'null', '__proto__') },
  { weight: 1, arbitrary: fc.constantFrom(100, 1000, 5000, 12_000).map((n) => 'x'.repeat(n)) },
);

// ── registration ──
const capabilityEntry = fc.record({
  name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...registrableNames()) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constantFrom(...registrableNames()).map((n) => n.toLowerCase() + 'x') }),
  version: fc.oneof({ weight: 4, arbitrary: fc.constant('v1') }, { weight: 1, arbitrary: fc.constantFrom('v2', 'V1', '', '1') }),
});
const restUrl = fc.oneof(
  fc.constantFrom('http://127.0.0.1:9/epos', 'https://epos.example.com/dojo', 'http://localhost./x', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest',
    'ftp://x', 'not a url', 'http://user:pw@host/', 'https://epos.example.com/' + 'p'.repeat(3000)),
  fc.webUrl(),
);

export const registration: Surface = {
  name: 'registration',
  requests: (keys) => fc.oneof(
    fc.tuple(fc.constantFrom('PUT', 'PUT', 'PUT', 'GET'), mutatedOf(fc.record({ capabilities: fc.array(capabilityEntry, { maxLength: 8 }) })))
      .chain(([method, v]) => bodyText(fc.constant(v)).map((body) => (method === 'PUT'
        ? { method, path: '/epos/integrations/ws', headers: auth(keys.reg), body }
        : { method, path: '/epos/integrations/ws', headers: noBody(auth(keys.reg)) }))),
    mutatedOf(fc.record({
      url: restUrl,
      capabilities: fc.array(capabilityEntry, { maxLength: 8 }),
      auth: fc.record({ authType: fc.constantFrom('basic', 'bearer'), basic: fc.record({ username: fc.string({ maxLength: 12 }), password: fc.string({ maxLength: 12 }) }) }),
    })).chain((v) => bodyText(fc.constant(v)).map((body) => ({ method: 'PUT', path: '/epos/integrations/rest', headers: auth(keys.reg), body }))),
  ),
};

// ── /epos/data ──
const requestorHeaders = fc.record({
  'waiter-id': fc.string({ maxLength: 12 }).filter(headerSafe),
  'dojo-requesting-product': fc.constantFrom('pay-at-table', 'order-and-pay', ''),
  'device-id': fc.string({ maxLength: 12 }).filter(headerSafe),
  'device-type': fc.constantFrom('terminal', 'app', ''),
}, { requiredKeys: [] });

function productRequest(cap: Capability, key: string, mutate = true): fc.Arbitrary<FuzzRequest> {
  const route = cap.rest!;
  const names = pathParamNames(route.path);
  const hasBody = route.method === 'POST' || route.method === 'PUT';
  if (!mutate) {
    return validOf(cap.request).map((params) => {
      const p = { ...(params as Record<string, unknown>) };
      const path = DATA_PREFIX + route.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeSegment(String(p[n]) || 'x'));
      for (const n of names) delete p[n];
      return hasBody ? { method: route.method, path, headers: auth(key), body: JSON.stringify(p) } : { method: route.method, path, headers: noBody(auth(key)) };
    });
  }
  return fc.tuple(mutatedOf(validOf(cap.request)), fc.array(segment, { minLength: names.length, maxLength: names.length }), fc.boolean(), requestorHeaders)
    .chain(([params, segs, rawSegs, extra]) => {
      const p = (typeof params === 'object' && params !== null && !Array.isArray(params) ? params : {}) as Record<string, unknown>;
      const path = DATA_PREFIX + route.path.replace(/\{(\w+)\}/g, (_m, n: string) => {
        const v = p[n];
        return rawSegs || (typeof v !== 'string' && typeof v !== 'number') || String(v) === '' ? segs[names.indexOf(n)]! : encodeSegment(String(v));
      });
      const bodyValue = { ...p };
      for (const n of names) delete bodyValue[n];
      const headers = { ...auth(key), ...extra };
      if (!hasBody) return fc.constant({ method: route.method, path, headers: noBody(headers) });
      return bodyText(fc.constant(Array.isArray(params) || typeof params !== 'object' || params === null ? params : bodyValue))
        .map((body) => ({ method: route.method, path, headers, body }));
    });
}

/** Product calls over every catalogue route; `mutate: false` keeps them valid, so they reach the EPOS. */
export function dataRequests(key: string, mutate = true): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...proxiedCapabilities().map((c) => productRequest(c, key, mutate)));
}

/** EPOS-side outcomes the platform reports with a 5xx on purpose (docs/data-api.md "Statuses"). */
const UPSTREAM = new Set(['CAPABILITY_NOT_REGISTERED', 'CAPABILITY_PREVIEW', 'EPOS_TIMEOUT', 'EPOS_NOT_CONNECTED']);

export const data: Surface = {
  name: 'data',
  requests: (keys) => dataRequests(keys.data),
  // The reference EPOS is well-behaved: it may time out under load or say UnexpectedError, nothing else.
  allowed5xx: (_s, b) => UPSTREAM.has(String(b?.error)) || b?.errorType === 'UnexpectedError',
};

// ── events ──
const posEvent = fc.constantFrom(['OrderUpdated', 'orderId'], ['PartyUpdated', 'partyId'], ['ReservationUpdated', 'reservationId'])
  .chain(([t, f]) => fc.record({ eventType: fc.constant(t), event: fc.record({ [f]: fc.string({ minLength: 1, maxLength: 20 }) }) }));
const query = fc.record({
  after: fc.oneof(fc.nat({ max: 50 }).map(String), fc.constantFrom('-1', 'x', '1e3', '99999999999999999999', '')),
  limit: fc.oneof(fc.integer({ min: 1, max: 500 }).map(String), fc.constantFrom('0', '501', 'x', '1.5', '')),
  status: fc.constantFrom('pending', 'delivered', 'failed', 'skipped', 'expired', 'bogus', ''),
}, { requiredKeys: [] }).map((q) => {
  const s = new URLSearchParams(q as Record<string, string>).toString();
  return s ? `?${s}` : '';
});

export const events: Surface = {
  name: 'events',
  requests: (keys) => fc.oneof(
    { weight: 4, arbitrary: bodyText(mutatedOf(validOf(RaiseEventBody))).map((body) => ({ method: 'POST', path: '/epos/data/v1/events', headers: auth(keys.data), body })) },
    { weight: 4, arbitrary: bodyText(mutatedOf(posEvent)).map((body) => ({ method: 'POST', path: '/epos/events', headers: auth(keys.data), body })) },
    { weight: 1, arbitrary: query.map((q) => ({ method: 'GET', path: `/epos/data/v1/events${q}`, headers: noBody(auth(keys.data)) })) },
    { weight: 1, arbitrary: query.map((q) => ({ method: 'GET', path: `/epos/events${q}`, headers: noBody(auth(keys.data)) })) },
    { weight: 1, arbitrary: segment.map((id) => ({ method: 'GET', path: `/epos/data/v1/events/${id}`, headers: noBody(auth(keys.data)) })) },
  ),
};

// ── tester ──
export const tester: Surface = {
  name: 'tester',
  requests: (keys, ctx) => fc.oneof(
    { weight: 6, arbitrary: bodyText(mutatedOf(fc.record({
      flow: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ctx.flows) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }),
      params: fc.dictionary(fc.constantFrom('orderId', 'tableId', 'currency', 'tipAmount', 'maxPages', 'pageSize', 'missingOrderId', 'x'), nasty, { maxKeys: 3 }),
    }, { requiredKeys: ['flow'] }))).map((body) => ({ method: 'POST', path: '/epos-tester-tool/flows', headers: auth(keys.data), body })) },
    { weight: 1, arbitrary: segment.map((id) => ({ method: 'GET', path: `/epos-tester-tool/flows/${id}`, headers: noBody(auth(keys.data)) })) },
    { weight: 1, arbitrary: fc.constant({ method: 'GET', path: '/epos-tester-tool/flows', headers: noBody(auth(keys.data)) }) },
  ),
};

// ── auth headers ──
function headerSafe(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s) && s.trim() === s;
}

export const authHeaders: Surface = {
  name: 'auth',
  // The keys' accounts have an EPOS or none: the product route may say so (501/503/504) like on `data`.
  allowed5xx: (s, b) => data.allowed5xx!(s, b),
  requests: (keys) => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const authorization = fc.oneof(
      fc.constantFrom(keys.data, keys.prod, keys.revoked, keys.ws).chain((k) => fc.constantFrom(
        `Basic ${k}`, `basic ${k}`, `BASIC  ${k}`, `Bearer ${k}`, `Basic ${b64(k)}`, `Basic ${b64(`${k}:`)}`, k, `Basic ${k} extra`,
        `Basic ${k.slice(0, -1)}`, `Basic ${k}x`, `Basic ${k.replace('sk_', 'pk_')}`, `Basic ${k.toUpperCase()}`,
      )),
      fc.constantFrom('', 'Basic', 'Basic ', 'Basic sk_', 'Basic sk_sandbox_', 'Basic sk_live_x', 'Digest x', 'Basic ' + 'a'.repeat(8000), 'Basic Og==', 'Basic =:='),
      fc.string({ maxLength: 60 }).filter(headerSafe),
    );
    const shid = fc.oneof(fc.constantFrom('fuzz-till', '', ' x', 'a'.repeat(5000), 'ü'), fc.string({ maxLength: 30 }).filter(headerSafe));
    const route = fc.constantFrom<[string, string]>(
      ['GET', '/epos/integrations'], ['GET', '/epos/integrations/ws'], ['GET', '/epos/data/v1/orders/ord-1'], ['GET', '/epos/events'],
      ['POST', '/epos/events'], ['GET', '/epos-tester-tool/flows'], ['GET', '/epos/data/v1/events'], ['GET', '/healthz'],
      ['GET', '/epos/data/openapi.json'], ['GET', '/nope'], ['DELETE', '/epos/integrations/ws'], ['OPTIONS', '/epos/events'],
    );
    return fc.record({
      route,
      authorization: fc.option(authorization, { nil: undefined }),
      shid: fc.option(shid, { nil: undefined }),
      trace: fc.option(fc.oneof(fc.constantFrom('a'.repeat(65), 'ok-trace', '../x'), fc.string({ maxLength: 70 }).filter(headerSafe)), { nil: undefined }),
      reseller: fc.option(fc.string({ maxLength: 30 }).filter(headerSafe), { nil: undefined }),
      contentType: fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', ''),
    }).map(({ route: [method, path], authorization, shid, trace, reseller, contentType }) => {
      const headers: Record<string, string> = {};
      if (authorization !== undefined) headers.authorization = authorization;
      if (shid !== undefined) headers['software-house-id'] = shid;
      if (trace !== undefined) headers['x-trace-id'] = trace;
      if (reseller !== undefined) headers['reseller-id'] = reseller;
      const body = method === 'POST' ? '{"eventType":"OrderUpdated","event":{"orderId":"o-1"}}' : undefined;
      if (body !== undefined && contentType) headers['content-type'] = contentType;
      return { method, path, headers, ...(body !== undefined ? { body } : {}) };
    });
  },
};

export const HTTP_SURFACES: readonly Surface[] = [registration, data, events, tester, authHeaders];

/** Capabilities an EPOS may register over WS and be called for through /epos/data. */
export const WS_CAPABILITIES = CAPABILITIES.filter((c) => c.status === 'stable');
