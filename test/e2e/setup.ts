// End-to-end setup: a real platform (SQLite file, port 0), the reference EPOS behind the public SDK
// on one transport, and a product-side caller that reaches it only through /epos/data.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { CAPABILITIES, findCapability, type Capability } from '../../packages/contract/src/catalogue.ts';
import { pathParamNames } from '../../packages/contract/src/rest.ts';
import { validateResult } from '../../packages/contract/src/validate.ts';
import { createReferenceEpos, type ReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';
import { connect, register, restHandler, type EposConnection, type PosEvent } from '../../packages/sdk/src/index.ts';
import type { Tenant } from '../../packages/eposgate/src/platform/tenant.ts';
import { api, testPlatform, type ApiResponse, type TestPlatform } from '../helpers/platform.ts';

export type TransportKind = 'ws' | 'rest';

export const ACCOUNT = 'gate-house';
export const SOFTWARE_HOUSE = 'gate-house-till';
export const REST_USER = 'dojo';
export const REST_PASS = 'e2e-s3cret:pass';

/** Every stable capability the product-facing API mirrors (events excluded), from the catalogue. */
export const PRODUCT_CAPABILITIES: readonly Capability[] = CAPABILITIES.filter(
  (c) => c.status === 'stable' && c.domain !== 'Events' && c.rest !== undefined,
);

/** A clock the test moves by hand; the reference EPOS reads it, the platform does not. */
export function fakeClock(start = '2026-03-14T18:00:00.000Z') {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms), iso: (plusMs = 0) => new Date(t + plusMs).toISOString() };
}

export async function listen(server: Server, port = 0): Promise<string> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Waits until `check()` is true, polling; throws after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface CapResponse<T = any> extends ApiResponse<T> {
  capability: string;
}

export interface E2E {
  transport: TransportKind;
  p: TestPlatform;
  key: string;
  tenant: Tenant;
  ref: ReferenceEpos;
  clock: ReturnType<typeof fakeClock>;
  /** POS events the reference EPOS announced (onChange). */
  posEvents: PosEvent[];
  /** Capabilities answered 200 through /epos/data (result checked against the contract). */
  exercised: Set<string>;
  /**
   * Calls a capability the way a product does: the catalogue's REST route under /epos/data, path
   * params filled from `params`, the rest as the body. A 200 body is checked with validateResult
   * (throws with the issues) and the capability is counted as exercised.
   */
  call<T = any>(capability: string, params?: Record<string, unknown>, headers?: Record<string, string>): Promise<CapResponse<T>>;
  close(): Promise<void>;
}

/** The product-facing request for a capability and its params. */
export function productRequest(cap: Capability, params: Record<string, unknown>): { method: string; path: string; body?: Record<string, unknown> } {
  const rest = cap.rest!;
  const body = { ...params };
  const path = '/epos/data' + rest.path.replace(/\{(\w+)\}/g, (_m, n: string) => {
    if (body[n] === undefined) throw new Error(`${cap.name}: path parameter ${n} missing`);
    return encodeURIComponent(String(body[n]));
  });
  for (const n of pathParamNames(rest.path)) delete body[n];
  return rest.method === 'POST' || rest.method === 'PUT' ? { method: rest.method, path, body } : { method: rest.method, path };
}

export interface StartOptions {
  /** Platform options (the platform's own defaults otherwise). */
  platform?: Parameters<typeof testPlatform>[0];
}

/** A platform plus the reference EPOS registered and reachable over `transport`. */
export async function startE2E(transport: TransportKind, opts: StartOptions = {}): Promise<E2E> {
  const p = await testPlatform({ callTimeoutMs: 3000, connectGraceMs: 500, ...opts.platform });
  const { key } = await p.keys.create(ACCOUNT, 'sandbox');
  const tenant: Tenant = { accountId: ACCOUNT, env: 'sandbox' };
  const clock = fakeClock();
  const posEvents: PosEvent[] = [];
  const ref = createReferenceEpos({ dbPath: ':memory:', clock: clock.now, onChange: (e) => posEvents.push(e) });
  const platformOpts = { platformUrl: p.url, apiKey: key, softwareHouseId: SOFTWARE_HOUSE };

  let conn: EposConnection | undefined;
  let server: Server | undefined;
  if (transport === 'ws') {
    await register(ref.epos, { ...platformOpts, transport: 'ws' });
    conn = connect(ref.epos, {
      url: p.url.replace(/^http/, 'ws') + '/epos',
      apiKey: key,
      softwareHouseId: SOFTWARE_HOUSE,
      reconnect: { minMs: 20, maxMs: 100 },
    });
    conn.on('error', () => {});
    await until(() => p.gateway.isConnected(tenant), 'the EPOS socket');
  } else {
    server = createServer(restHandler(ref.epos, { username: REST_USER, password: REST_PASS, basePath: '/dojo' }));
    const url = await listen(server);
    await register(ref.epos, { ...platformOpts, transport: 'rest', url: `${url}/dojo`, username: REST_USER, password: REST_PASS });
  }

  const exercised = new Set<string>();
  return {
    transport,
    p,
    key,
    tenant,
    ref,
    clock,
    posEvents,
    exercised,
    async call(capability, params = {}, headers = {}) {
      const cap = findCapability(capability);
      if (!cap || !cap.rest) throw new Error(`${capability} has no product-facing route`);
      const req = productRequest(cap, params);
      const res = await api(p.url, req.method, req.path, { key, body: req.body, headers });
      if (res.status === 200) {
        const issues = validateResult(cap, res.body);
        if (issues) throw new Error(`${cap.name} over ${transport}: 200 result breaks the contract: ${JSON.stringify(issues, null, 2)}`);
        exercised.add(cap.name);
      }
      return Object.assign(res, { capability: cap.name });
    },
    async close() {
      await conn?.close();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((r) => server!.close(() => r()));
      }
      await p.destroy();
      ref.close();
    },
  };
}
