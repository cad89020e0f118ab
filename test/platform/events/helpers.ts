// Shared pieces of the events tests: a platform with fast settings, a real `ws` client playing the
// EPOS, a real HTTP server playing a REST EPOS, a server-sent events reader, and polling.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import type { StartPlatformOptions } from '../../../packages/eposgate/src/platform/platform.ts';
import { api, testPlatform, type TestPlatform } from '../../helpers/platform.ts';

export const CREATED = 'HandleEvent:payment_intent.created';
export const STATUS_UPDATED = 'HandleEvent:payment_intent.status_updated';

export const FAST: Partial<StartPlatformOptions> = {
  connectGraceMs: 50,
  callTimeoutMs: 500,
  eventRetryBaseMs: 20,
  eventRetryMaxMs: 200,
  eventMaxAttempts: 5,
};

/** Any platform node, embedded or in a cluster: these helpers only talk to it over HTTP/WS. */
type Node = Pick<TestPlatform, 'url'>;

type TestContext = { after(fn: () => Promise<void> | void): void };

export async function platform(t: TestContext, opts: Partial<StartPlatformOptions> = {}): Promise<TestPlatform> {
  const p = await testPlatform({ ...FAST, ...opts });
  t.after(() => p.destroy());
  return p;
}

export async function key(p: TestPlatform, account: string): Promise<string> {
  return (await p.keys.create(account, 'sandbox')).key;
}

export async function registerWs(p: Node, k: string, names: string[] = [CREATED, STATUS_UPDATED]): Promise<void> {
  const res = await api(p.url, 'PUT', '/epos/integrations/ws', { key: k, body: { capabilities: names.map((name) => ({ name, version: 'v1' })) } });
  if (res.status !== 200) throw new Error(`registration failed: ${res.status} ${res.text}`);
}

export const payment = (paymentIntentId = 'pi_1', paymentStatus = 'Created') => ({ paymentIntentId, paymentStatus, captureMode: 'Auto' });

export function raise(p: Node, k: string, body: Record<string, unknown>) {
  return api(p.url, 'POST', '/epos/data/v1/events', { key: k, body });
}

export type Frame = { jsonrpc: string; id: string | number; method: string; params: Record<string, unknown> };
export type Answer = (f: Frame, n: number) => unknown;

export const ok: Answer = (f) => ({ jsonrpc: '2.0', id: f.id, result: {} });

export interface FakeEpos {
  sock: WebSocket;
  frames: Frame[];
  close(): Promise<void>;
}

/** A real WebSocket client playing the EPOS: answers every request with `answer` (undefined: no answer). */
export async function wsEpos(p: Node, k: string, answer: Answer = ok, softwareHouseId = 'sh-epos'): Promise<FakeEpos> {
  const sock = new WebSocket(`${p.url.replace('http', 'ws')}/epos`, {
    headers: { authorization: `Basic ${k}`, 'software-house-id': softwareHouseId },
  });
  const frames: Frame[] = [];
  sock.on('message', (data) => {
    const f = JSON.parse(String(data)) as Frame;
    if (typeof f.method !== 'string') return;
    frames.push(f);
    const reply = answer(f, frames.length);
    if (reply !== undefined) sock.send(JSON.stringify(reply));
  });
  sock.on('error', () => {});
  await once(sock, 'open');
  return {
    sock, frames,
    async close() {
      if (sock.readyState === WebSocket.CLOSED) return;
      const closed = once(sock, 'close');
      sock.close();
      await closed;
    },
  };
}

export interface Seen { method: string; url: string; headers: IncomingHttpHeaders; body: string }

/** A real HTTP server playing a REST EPOS. */
export async function restEpos(t: TestContext, handle: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_q, res) => res.writeHead(200).end()) {
  const seen: Seen[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += String(c);
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    handle(req, res, seen.length);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { server.closeAllConnections(); server.close(); });
  return { seen, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Polls until `check` returns a truthy value (or fails after `ms`). */
export async function until<T>(check: () => Promise<T> | T, ms = 2000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function eventState(p: Node, k: string, id: string) {
  return (await api(p.url, 'GET', `/epos/data/v1/events/${id}`, { key: k })).body;
}

export async function delivered(p: Node, k: string, id: string, ms = 2000) {
  return until(async () => {
    const e = await eventState(p, k, id);
    return e?.delivery?.status === 'delivered' ? e : undefined;
  }, ms, `event ${id} delivered`);
}

export interface SseMessage { id?: string; data: string }

/** Reads a server-sent events stream with fetch, as a product would. */
export async function sse(url: string, k: string, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Basic ${k}`, 'software-house-id': 'sh-product', ...headers }, signal: ac.signal });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  let ended = false;
  let error: unknown;
  let buf = '';
  const done = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const msg: SseMessage = { data: '' };
          let isMsg = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) { msg.id = line.slice(4); isMsg = true; }
            else if (line.startsWith('data: ')) { msg.data += line.slice(6); isMsg = true; }
          }
          if (isMsg) messages.push(msg);
        }
      }
    } catch (err) {
      error = err;
    }
    ended = true;
  })();
  return {
    res, messages, comments,
    get ended() { return ended; },
    /** Set when the stream broke (or was aborted) instead of ending cleanly. */
    get error() { return error; },
    done,
    close() { ac.abort(); return done; },
  };
}
