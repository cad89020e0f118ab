// Builds the HTTP request for one capability call on an EPOS's REST API. Pure: no I/O.
import type { Capability } from '@eposgate/contract';
import { requestorToHttp, restRequest } from '@eposgate/contract';
import { PlatformError } from '../errors.ts';
import type { RequestorHeaders } from './transport.ts';

/** Where and how to reach one tenant's EPOS REST API, as registered. */
export interface RestTarget {
  /** e.g. `https://epos.example.com` or `https://epos.example.com/api`; the catalogue path is appended. */
  baseUrl: string;
  username: string;
  password: string;
}

export interface EposHttpRequest {
  /** `scheme://host:port` of the EPOS. */
  origin: string;
  /** Base path + operation path, placeholders filled in. */
  path: string;
  /** `host:port`, for messages (never credentials). */
  host: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
}

interface PreparedTarget {
  origin: string;
  basePath: string;
  host: string;
  authorization: string;
}

/** What every call to one registered target shares, worked out once per target object. */
const prepared = new WeakMap<RestTarget, PreparedTarget>();

function prepare(target: RestTarget): PreparedTarget {
  let p = prepared.get(target);
  if (p) return p;
  let base: URL;
  try {
    base = new URL(target.baseUrl);
  } catch {
    throw new PlatformError('EPOS_UNREACHABLE', 'the registered REST base URL is not a valid URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new PlatformError('EPOS_UNREACHABLE', `the registered REST base URL must be http(s), not ${base.protocol}`);
  }
  p = {
    origin: base.origin,
    basePath: base.pathname.replace(/\/+$/, ''),
    host: hostPort(base),
    authorization: `Basic ${Buffer.from(`${target.username}:${target.password}`, 'utf8').toString('base64')}`,
  };
  prepared.set(target, p);
  return p;
}

export function buildEposHttpRequest(target: RestTarget, capability: Capability, params: Record<string, unknown>, requestor: RequestorHeaders): EposHttpRequest {
  if (!capability.rest) {
    throw new PlatformError('CAPABILITY_PREVIEW', `${capability.name} has no published REST contract, so it cannot be called over REST`);
  }
  let split: ReturnType<typeof restRequest>;
  try {
    split = restRequest(capability, params);
  } catch (e) {
    throw new PlatformError('BAD_REQUEST', `${capability.name}: ${(e as Error).message}`);
  }
  const t = prepare(target);
  const headers: Record<string, string> = { authorization: t.authorization, accept: 'application/json', ...requestorToHttp(requestor) };
  let body: string | undefined;
  if (split.body) {
    body = JSON.stringify(split.body);
    headers['content-type'] = 'application/json';
  }
  return { origin: t.origin, path: t.basePath + split.path, host: t.host, method: split.method, headers, ...(body === undefined ? {} : { body }) };
}

/** `host:port` of a URL, the port spelled out even when it is the default; never credentials. */
export function hostPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}
