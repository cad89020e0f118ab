// Test harness: the reference EPOS behind the SDK's REST handler on a real HTTP server, and a tiny
// platform (a real ws server) that sends JSON-RPC requests to an SDK connection.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import { restHandler, connect, type EposConnection, type PosEvent, type Epos } from '../../packages/sdk/src/index.ts';
import { createReferenceEpos, type ReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';
import { validateResult } from '../../packages/contract/src/validate.ts';
import { findCapability } from '../../packages/contract/src/catalogue.ts';

export const USER = 'dojo';
export const PASS = 's3cret-pass';
export const basic = (u = USER, p = PASS) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** A clock the test moves by hand. */
export function fakeClock(start = '2026-03-14T18:00:00.000Z') {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

export interface RestHarness {
  ref: ReferenceEpos;
  events: PosEvent[];
  clock: ReturnType<typeof fakeClock>;
  url: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function listen(server: Server, port = 0): Promise<string> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startRest(): Promise<RestHarness> {
  const clock = fakeClock();
  const events: PosEvent[] = [];
  const ref = createReferenceEpos({ dbPath: ':memory:', clock: clock.now, onChange: (e) => events.push(e) });
  const server = createServer(restHandler(ref.epos, { username: USER, password: PASS }));
  const url = await listen(server);
  return {
    ref,
    events,
    clock,
    url,
    async call(method, path, body, headers = {}) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: basic(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      server.closeAllConnections();
      server.close();
      ref.close();
    },
  };
}

/** Asserts a result against the contract's result schema of a capability; throws with the issues. */
export function assertContract(capability: string, result: unknown): void {
  const def = findCapability(capability);
  if (!def) throw new Error(`unknown capability ${capability}`);
  const issues = validateResult(def, result);
  if (issues) throw new Error(`${capability} result breaks the contract: ${JSON.stringify(issues, null, 2)}`);
}

/** Plays the platform: accepts EPOS sockets on /epos and sends JSON-RPC requests down them. */
export class FakePlatform {
  wss!: WebSocketServer;
  port = 0;
  socket: WebSocket | null = null;
  handshakes: Array<Record<string, string | string[] | undefined>> = [];
  #seq = 0;
  #waiting = new Map<string, (frame: any) => void>();
  #connected: Array<() => void> = [];

  async start(port = 0): Promise<this> {
    this.wss = new WebSocketServer({ port, host: '127.0.0.1', path: '/epos', perMessageDeflate: false });
    await once(this.wss, 'listening');
    this.port = (this.wss.address() as AddressInfo).port;
    this.wss.on('connection', (ws, req) => {
      this.handshakes.push(req.headers);
      this.socket = ws;
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        const resolve = this.#waiting.get(String(frame.id));
        if (resolve) {
          this.#waiting.delete(String(frame.id));
          resolve(frame);
        }
      });
      for (const f of this.#connected.splice(0)) f();
    });
    return this;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/epos`;
  }

  /** Resolves once an EPOS socket is connected (at once if one is). */
  connected(): Promise<void> {
    if (this.socket && this.socket.readyState === 1) return Promise.resolve();
    return new Promise((r) => this.#connected.push(r));
  }

  /** Sends one request and resolves with the whole response frame. */
  request(method: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<any> {
    const id = `req-${++this.#seq}`;
    const p = new Promise<any>((resolve) => this.#waiting.set(id, resolve));
    this.socket!.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, headers } }));
    return p;
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.socket = null;
  }
}

export interface WsHarness {
  ref: ReferenceEpos;
  platform: FakePlatform;
  conn: EposConnection;
  events: PosEvent[];
  close(): Promise<void>;
}

export async function startWs(epos?: Epos): Promise<WsHarness> {
  const events: PosEvent[] = [];
  const clock = fakeClock();
  const ref = createReferenceEpos({ dbPath: ':memory:', clock: clock.now, onChange: (e) => events.push(e) });
  const platform = await new FakePlatform().start();
  const conn = connect(epos ?? ref.epos, { url: platform.url, apiKey: 'sk_sandbox_test', softwareHouseId: 'shid-test', reconnect: { minMs: 20, maxMs: 100 } });
  await platform.connected();
  return {
    ref,
    platform,
    conn,
    events,
    async close() {
      await conn.close();
      await platform.stop();
      ref.close();
    },
  };
}
