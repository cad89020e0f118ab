// How a load run reaches the EPOS: through a platform's product-facing API (`/epos/data`, the way
// a product calls), or straight into an in-process EPOS (the benchmark's baseline). Either way a
// call answers its result or the one word that says how it failed.
import { Pool } from 'undici';
import { findCapability } from '@eposgate/contract';
import { restRequest } from '@eposgate/contract';
import type { Epos } from '@eposgate/sdk';

export type CallResult = { ok: true; result: any } | { ok: false; outcome: string; message: string };

export interface Caller {
  call(capability: string, params: Record<string, unknown>): Promise<CallResult>;
  close(): Promise<void>;
}

export interface PlatformCallerOptions {
  base: string;
  apiKey: string;
  softwareHouseId: string;
  /** Concurrent connections to the platform (one per terminal makes no terminal wait for another). */
  connections: number;
  /** Gives up on a call after this long (the platform's own EPOS timeout is 10 s). */
  timeoutMs: number;
}

/** Calls through `/epos/data`, keep-alive, one connection per terminal. */
export function platformCaller(o: PlatformCallerOptions): Caller {
  const url = new URL(o.base);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, { connections: o.connections, pipelining: 1, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs });
  const headers = { accept: 'application/json', authorization: `Basic ${o.apiKey}`, 'software-house-id': o.softwareHouseId };
  return {
    async call(capability, params) {
      const def = findCapability(capability);
      if (!def?.rest) return { ok: false, outcome: 'NOT_CALLABLE', message: `${capability} has no product-facing route` };
      const req = restRequest(def, params);
      try {
        const res = await pool.request({
          method: req.method, path: `${prefix}/epos/data${req.path}`,
          headers: req.body ? { ...headers, 'content-type': 'application/json' } : headers,
          body: req.body ? JSON.stringify(req.body) : null,
        });
        const text = await res.body.text();
        let body: any;
        try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
        if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, result: body ?? {} };
        // A platform error names its code in `error`, an EPOS error its type in `errorType` (docs/data-api.md).
        const outcome = typeof body?.error === 'string' ? body.error : typeof body?.errorType === 'string' ? body.errorType : `HTTP_${res.statusCode}`;
        return { ok: false, outcome, message: String(body?.message ?? body?.debugMessage ?? text).slice(0, 300) };
      } catch (err) {
        const e = err as Error & { code?: string };
        const timeout = e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT';
        return { ok: false, outcome: timeout ? 'CLIENT_TIMEOUT' : 'NETWORK', message: `${e.code ?? e.name}: ${e.message}` };
      }
    },
    close: () => pool.close(),
  };
}

/** Calls an EPOS in this process, without any transport: the fastest the journeys can go. */
export function directCaller(epos: Epos): Caller {
  return {
    async call(capability, params) {
      const r = await epos.invoke(capability, params);
      return r.ok ? { ok: true, result: r.result } : { ok: false, outcome: r.error.errorType, message: r.error.debugMessage ?? '' };
    },
    close: async () => {},
  };
}
