// Harness for tester tests: a real platform, an API key, and an EPOS built on the SDK connected
// over WebSocket or served over REST and registered with the capabilities it implements.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { connect, defineEpos, EposError, register, restHandler, type ConnectOptions, type Epos, type EposConnection, type HandlerContext, type HandlerName, type Handlers } from '../../../packages/sdk/src/index.ts';
import { createReferenceEpos, type ReferenceEpos } from '../../../packages/eposgate/src/epos/index.ts';
import type { StartPlatformOptions } from '../../../packages/eposgate/src/platform/platform.ts';
import type { FlowResult } from '../../../packages/eposgate/src/platform/tester/types.ts';
import { api, testPlatform, type TestPlatform } from '../../helpers/platform.ts';

export const SHID = 'tester-software-house';
export const USER = 'dojo';
export const PASS = 'tester-pass-123';

export interface Setup {
  platform: TestPlatform;
  key: string;
  ref: ReferenceEpos;
  close(): Promise<void>;
}

export async function newPlatform(opts: Partial<StartPlatformOptions> = {}): Promise<{ platform: TestPlatform; key: string }> {
  const platform = await testPlatform(opts);
  const { key } = await platform.keys.create('acc-tester', 'sandbox');
  return { platform, key };
}

/** Connects an EPOS over WS and registers `capabilities` (default: all it implements). */
export async function attachWs(platform: TestPlatform, key: string, epos: Epos, capabilities?: string[], reconnect: ConnectOptions['reconnect'] = false): Promise<EposConnection> {
  const conn = connect(epos, { url: `${platform.url.replace('http', 'ws')}/epos`, apiKey: key, softwareHouseId: SHID, reconnect, drainTimeoutMs: 200 });
  await once(conn, 'connect');
  await register(epos, { platformUrl: platform.url, apiKey: key, softwareHouseId: SHID, transport: 'ws', ...(capabilities ? { capabilities } : {}) });
  return conn;
}

/** Serves an EPOS over REST and registers it. */
export async function attachRest(platform: TestPlatform, key: string, epos: Epos, capabilities?: string[]): Promise<{ server: Server; url: string }> {
  const server = createServer(restHandler(epos, { username: USER, password: PASS }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await register(epos, { platformUrl: platform.url, apiKey: key, softwareHouseId: SHID, transport: 'rest', url, username: USER, password: PASS, ...(capabilities ? { capabilities } : {}) });
  return { server, url };
}

export function closeServer(server: Server): void {
  server.closeAllConnections();
  server.close();
}

/** Reference EPOS on WS (default) or REST, everything registered. */
export async function withReference(transport: 'ws' | 'rest' = 'ws', opts: Partial<StartPlatformOptions> = {}): Promise<Setup> {
  const { platform, key } = await newPlatform(opts);
  const ref = createReferenceEpos({ dbPath: ':memory:' });
  let stop: () => Promise<void>;
  if (transport === 'ws') {
    // Reconnecting quickly, as a real EPOS does: the JSON-RPC Reconnect flow closes the socket.
    const conn = await attachWs(platform, key, ref.epos, undefined, { minMs: 20, maxMs: 200 });
    stop = () => conn.close();
  } else {
    const { server } = await attachRest(platform, key, ref.epos);
    stop = async () => closeServer(server);
  }
  return {
    platform, key, ref,
    async close() {
      await platform.destroy();
      await stop();
      ref.close();
    },
  };
}

/** POST /epos-tester-tool/flows; answers the flow id (asserts a 200). */
export async function startFlow(base: string, key: string, flow: string, params: Record<string, unknown> = {}): Promise<string> {
  const res = await api<string>(base, 'POST', '/epos-tester-tool/flows', { key, body: { flow, params }, softwareHouseId: SHID });
  if (res.status !== 200) throw new Error(`starting ${flow}: HTTP ${res.status} ${res.text}`);
  return res.body;
}

/** Polls GET /epos-tester-tool/flows/{id} until the flow is no longer IN_PROGRESS. */
export async function waitFlow(base: string, key: string, id: string, timeoutMs = 15_000): Promise<FlowResult & { steps: any[] }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await api<FlowResult>(base, 'GET', `/epos-tester-tool/flows/${id}`, { key, softwareHouseId: SHID });
    if (res.status !== 200) throw new Error(`polling ${id}: HTTP ${res.status} ${res.text}`);
    if (res.body.status !== 'IN_PROGRESS') return res.body as FlowResult & { steps: any[] };
    if (Date.now() > until) throw new Error(`flow ${id} still IN_PROGRESS after ${timeoutMs} ms: ${JSON.stringify(res.body, null, 1)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runFlow(s: { platform: TestPlatform; key: string }, flow: string, params: Record<string, unknown> = {}) {
  return waitFlow(s.platform.url, s.key, await startFlow(s.platform.url, s.key, flow, params));
}

/** A readable dump of a flow result, for assertion messages. */
export function dump(r: FlowResult): string {
  return JSON.stringify({ ...r, steps: r.steps.map((s: any) => ({ name: s.name, status: s.status, info: s.additionalInformation, problems: s.problems })) }, null, 1);
}

/** The reference EPOS whose GetOrderById waits until `release()`: holds a flow IN_PROGRESS. */
export function gatedGetOrder(ref: ReferenceEpos): { epos: Epos; release(): void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const epos = defineEpos({
    GetOrderById: async (p) => {
      await gate;
      return (await ref.epos.invoke('GetOrderById', p) as unknown as { result: never }).result;
    },
  });
  return { epos, release };
}

/** Calls one of the reference EPOS's handlers: its result, or its EPOSError thrown. */
export type Base = (name: HandlerName, params: any) => Promise<any>;

/** The reference EPOS with some handlers replaced; the SDK's own checks off so broken answers go out. */
export function brokenReference(
  ref: ReferenceEpos,
  overrides: (base: Base) => Partial<Record<string, (p: any, ctx: HandlerContext) => unknown>>,
): Epos {
  const base: Base = async (name, params) => {
    const out = await ref.epos.invoke(name, params);
    if (out.ok) return out.result;
    throw new EposError(out.error.errorType, out.error.debugMessage);
  };
  const handlers: Record<string, unknown> = {};
  for (const c of ref.epos.capabilities) handlers[c.name] = (p: unknown) => base(c.name as HandlerName, p);
  return defineEpos({ ...(handlers as Handlers), ...(overrides(base) as Handlers) }, { validate: false, onContractError: () => {}, onHandlerError: () => {} });
}
