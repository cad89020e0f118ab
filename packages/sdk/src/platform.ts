// Calls from the EPOS to the platform's own API: capability registration and POS events.
import { findCapability } from '@eposgate/contract';
import type { Epos } from './define.ts';
import type { PosEvent } from '@eposgate/contract';

export interface PlatformOptions {
  /** Base URL of the platform API, e.g. `http://localhost:8080` or `https://api.example.com`. */
  platformUrl: string;
  apiKey: string;
  softwareHouseId: string;
  resellerId?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

export type RegisterOptions =
  | (PlatformOptions & { transport: 'ws'; capabilities?: string[] })
  | (PlatformOptions & {
      transport: 'rest';
      /** Base URL the platform calls, e.g. `https://epos.example.com/dojo`; routes are appended. */
      url: string;
      username: string;
      password: string;
      capabilities?: string[];
    });

export type { PosEvent } from '@eposgate/contract';

/** A non-2xx answer from the platform, with its parsed body. */
export class PlatformRequestError extends Error {
  constructor(readonly status: number, readonly body: unknown, what: string) {
    super(`${what} failed: HTTP ${status} ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.name = 'PlatformRequestError';
  }
}

async function call(opts: PlatformOptions, method: 'PUT' | 'POST', path: string, body: unknown, what: string): Promise<unknown> {
  const headers: Record<string, string> = {
    authorization: `Basic ${opts.apiKey}`,
    'software-house-id': opts.softwareHouseId,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  if (opts.resellerId) headers['reseller-id'] = opts.resellerId;
  const url = new URL(path, opts.platformUrl.endsWith('/') ? opts.platformUrl : `${opts.platformUrl}/`);
  const timeout = opts.timeoutMs ?? 10_000;
  // Global fetch, not an HTTP library: the SDK's only dependencies are the contract and `ws`.
  const res = await fetch(url, { method, headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeout) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // keep the text
  }
  if (res.status < 200 || res.status >= 300) throw new PlatformRequestError(res.status, parsed, what);
  return parsed;
}

/** The registration body's capability list: every implemented capability, version v1. */
export function capabilityList(epos: Epos, names?: string[]): Array<{ name: string; version: 'v1' }> {
  const list = names ?? epos.capabilities.map((c) => c.name);
  return list.map((n) => {
    const def = findCapability(n);
    if (!def) throw new TypeError(`register: ${JSON.stringify(n)} is not a capability`);
    return { name: def.name, version: 'v1' as const };
  });
}

/**
 * Registers what this EPOS implements (full replace: anything not listed stops being routed).
 * Returns the platform's answer.
 */
export async function register(epos: Epos, opts: RegisterOptions): Promise<unknown> {
  const capabilities = capabilityList(epos, opts.capabilities);
  if (capabilities.length === 0) throw new TypeError('register: the EPOS implements no capability');
  if (opts.transport === 'ws') {
    return call(opts, 'PUT', 'epos/integrations/ws', { capabilities }, 'registration');
  }
  return call(
    opts,
    'PUT',
    'epos/integrations/rest',
    { url: opts.url, capabilities, auth: { authType: 'basic', basic: { username: opts.username, password: opts.password } } },
    'registration',
  );
}

/** Tells the platform an entity changed (or was created or deleted); it re-fetches if it cares. */
export async function sendEvent(opts: PlatformOptions, event: PosEvent): Promise<void> {
  await call(opts, 'POST', 'epos/events', event, `${event.eventType} event`);
}
