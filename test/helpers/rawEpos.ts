// EPOS stand-ins at the wire level, for tests that check exactly what the platform sends:
// a `ws` client that answers JSON-RPC frames, and a node http server for the REST contract.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';

export interface RpcFrame {
  jsonrpc: string;
  id: string;
  method: string;
  params: Record<string, unknown> & { headers: Record<string, string> };
}

export type RpcAnswer = { result: unknown } | { error: unknown } | { raw: string } | { silent: true };

export interface RawWsEpos {
  ws: WebSocket;
  frames: RpcFrame[];
  close(): Promise<void>;
}

/** Connects to the platform's /epos and answers every request with `answer(frame)`. */
export function rawWsEpos(platformUrl: string, key: string, answer: (f: RpcFrame) => RpcAnswer | Promise<RpcAnswer>, headers: Record<string, string> = {}): Promise<RawWsEpos> {
  const ws = new WebSocket(platformUrl.replace(/^http/, 'ws') + '/epos', {
    headers: { authorization: `Basic ${key}`, 'software-house-id': 'test-shid', ...headers },
  });
  const frames: RpcFrame[] = [];
  ws.on('message', async (data) => {
    const f = JSON.parse(data.toString()) as RpcFrame;
    frames.push(f);
    const a = await answer(f);
    if ('silent' in a) return;
    if ('raw' in a) return ws.send(a.raw);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: f.id, ...a }));
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({
      ws, frames,
      close: () => new Promise<void>((r) => { if (ws.readyState === WebSocket.CLOSED) return r(); ws.once('close', () => r()); ws.close(); }),
    }));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

export interface HttpCall {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RawRestEpos {
  url: string;
  calls: HttpCall[];
  server: Server;
  close(): Promise<void>;
}

/** A REST EPOS: records each request and answers with `answer(call)` → [status, body]. */
export async function rawRestEpos(answer: (c: HttpCall) => [number, unknown] | Promise<[number, unknown]>): Promise<RawRestEpos> {
  const calls: HttpCall[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const call = { method: req.method!, url: req.url!, headers: req.headers, body };
      calls.push(call);
      const [status, out] = await answer(call);
      const text = out === undefined ? '' : typeof out === 'string' ? out : JSON.stringify(out);
      res.writeHead(status, { 'content-type': typeof out === 'string' ? 'text/plain' : 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, calls, server,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
