// The WebSocket surface: the fuzzer is the EPOS of the fuzz-ws account. Valid product calls make the
// platform send it requests; it answers each with a mutated JSON-RPC frame (valid results mutated
// by schema, wrong ids and types, bad envelopes, garbage, binary, deep and huge frames, duplicates,
// silence, unsolicited requests). The product calls' answers must be documented outcomes.
import fc from 'fast-check';
import WebSocket from 'ws';
import { CAPABILITIES } from '../packages/contract/src/catalogue.ts';
import { applyOp, nasty, op, samples, validOf, type Op } from './arbitraries.ts';
import { count, describeRequest, emptyTally, lanes, type Failure, type FuzzClient, type Tally } from './client.ts';
import type { FuzzKeys } from './platform.ts';
import { dataRequests, WS_CAPABILITIES } from './surfaces.ts';

const KINDS = {
  valid: 3, mutatedResult: 4, eposError: 2, rpcError: 1, wrongId: 2, numericId: 1, badEnvelope: 2,
  garbage: 2, binary: 1, deep: 1, large: 1, duplicate: 1, silent: 1, unsolicited: 1,
} as const;
type Kind = keyof typeof KINDS;

interface Plan {
  kind: Kind;
  pick: number;
  ops: Op[];
  value: unknown;
  n: number;
}

const plan: fc.Arbitrary<Plan> = fc.record({
  kind: fc.oneof(...(Object.entries(KINDS) as [Kind, number][]).map(([k, w]) => ({ weight: w, arbitrary: fc.constant(k) }))),
  pick: fc.nat(),
  ops: fc.array(op, { minLength: 1, maxLength: 3 }),
  value: nasty,
  n: fc.nat(),
});

/** What a product call through the fuzz-ws account may answer with a 5xx: the EPOS misbehaved. */
export function wsAllowed5xx(status: number, b: Record<string, unknown> | undefined): boolean {
  const code = String(b?.error ?? '');
  if (typeof b?.errorType === 'string') return status === 502;
  if (status === 502) return ['EPOS_BAD_RESPONSE', 'EPOS_UNREACHABLE', 'CONTRACT_VIOLATION', 'EPOS_ERROR'].includes(code);
  if (status === 503) return code === 'EPOS_NOT_CONNECTED';
  if (status === 504) return code === 'EPOS_TIMEOUT';
  if (status === 501) return code === 'CAPABILITY_NOT_REGISTERED';
  return false;
}

export interface WsReport extends Tally {
  frames: number;
  framesByKind: Record<string, number>;
  closeCodes: Record<string, number>;
}

export async function runWsFrames(o: {
  url: string; keys: FuzzKeys; client: FuzzClient; seed: number; frames: number; concurrency: number;
  fail: (f: Failure) => void; stopped: () => boolean;
}): Promise<WsReport> {
  const t: WsReport = { ...emptyTally(), frames: 0, framesByKind: {}, closeCodes: {} };
  const reg = await o.client.send({
    method: 'PUT', path: '/epos/integrations/ws',
    headers: { authorization: `Basic ${o.keys.ws}`, 'software-house-id': 'fuzz-ws', 'content-type': 'application/json' },
    body: JSON.stringify({ capabilities: WS_CAPABILITIES.map((c) => ({ name: c.name, version: 'v1' })) }),
  });
  if (reg?.status !== 200) throw new Error(`registering the fuzz WS EPOS: ${reg?.status} ${reg?.text}`);

  // Valid results per WS method, to mutate.
  const results = new Map<string, unknown[]>();
  for (const c of CAPABILITIES) results.set(c.wsMethod, fc.sample(validOf(c.result), { seed: o.seed, numRuns: 20 }));
  const plans = samples(plan, o.seed ^ 0x5eed, o.frames * 4);
  let done = false;
  const finished = () => done || o.stopped() || t.frames >= o.frames;

  // The last frames sent, quoted with a failure (which answer broke which call is not tracked).
  const recent: string[] = [];
  const send = (ws: WebSocket, kind: Kind, data: string | Buffer) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    recent.push(`${kind} (${data.length} bytes): ${(typeof data === 'string' ? data : data.toString('latin1')).slice(0, 160)}`);
    if (recent.length > 6) recent.shift();
    t.frames += 1;
    t.framesByKind[kind] = (t.framesByKind[kind] ?? 0) + 1;
    ws.send(data, () => {});
  };

  const answer = (ws: WebSocket, frame: { id: string; method: string }) => {
    const next = plans.next();
    if (next.done) return;
    const p = next.value;
    const pool = results.get(frame.method) ?? [{}];
    const result = pool[p.pick % pool.length];
    const env = (extra: Record<string, unknown>) => JSON.stringify({ jsonrpc: '2.0', id: frame.id, ...extra });
    switch (p.kind) {
      case 'valid': return send(ws, p.kind, env({ result }));
      case 'mutatedResult': return send(ws, p.kind, env({ result: (p.ops.reduce(applyOp, { r: result }) as { r?: unknown } | null)?.r }));
      case 'eposError': return send(ws, p.kind, env({ error: { errorType: ['NotFound', 'InvalidRequest', 'Conflict', 'UnexpectedError', 'Bogus', ''][p.n % 6], debugMessage: p.value, traceId: p.n % 2 ? p.value : 't-1' } }));
      case 'rpcError': return send(ws, p.kind, env({ error: { code: p.value, message: p.n % 2 ? 'boom' : p.value } }));
      case 'wrongId': return send(ws, p.kind, JSON.stringify({ jsonrpc: '2.0', id: p.n % 3 === 0 ? bump(frame.id, (p.n % 7) - 3) : p.value, result }));
      case 'numericId': return send(ws, p.kind, JSON.stringify({ jsonrpc: '2.0', id: /\d+$/.test(frame.id) ? Number(/\d+$/.exec(frame.id)![0]) : 1, result }));
      case 'badEnvelope': return send(ws, p.kind, [
        JSON.stringify({ id: frame.id, result }), JSON.stringify({ jsonrpc: '1.0', id: frame.id, result }),
        JSON.stringify({ jsonrpc: '2.0', id: frame.id, result, error: { errorType: 'NotFound' } }), JSON.stringify({ jsonrpc: '2.0', id: frame.id }),
        JSON.stringify({ jsonrpc: p.value, id: frame.id, result }), JSON.stringify({ jsonrpc: '2.0', id: frame.id, method: frame.method, result }),
      ][p.n % 6]!);
      case 'garbage': return send(ws, p.kind, ['', 'not json', '{', 'null', '[]', JSON.stringify([{ jsonrpc: '2.0', id: frame.id, result }]), JSON.stringify(p.value) ?? 'x', '\ud800'][p.n % 8]!);
      case 'binary': return send(ws, p.kind, Buffer.from(env({ result })));
      case 'deep': {
        const n = 20 + (p.n % 100_000);
        return send(ws, p.kind, `{"jsonrpc":"2.0","id":${JSON.stringify(frame.id)},"result":{"x":${'['.repeat(n)}${']'.repeat(n)}}}`);
      }
      case 'large': {
        const size = [100_000, 500_000, 900_000, 1_100_000][p.n % 4]!;
        return send(ws, p.kind, env({ result: { ...(typeof result === 'object' && result !== null && !Array.isArray(result) ? result : {}), id: 'x'.repeat(size) } }));
      }
      case 'duplicate': send(ws, p.kind, env({ result })); return send(ws, p.kind, env({ result }));
      case 'silent': t.framesByKind.silent = (t.framesByKind.silent ?? 0) + 1; return;
      case 'unsolicited':
        send(ws, p.kind, JSON.stringify(p.n % 2 ? { jsonrpc: '2.0', id: p.n, method: 'Hello', params: p.value } : { jsonrpc: '2.0', method: 'Note', params: p.value }));
        return send(ws, p.kind, env({ result }));
    }
  };

  let ws: WebSocket | undefined;
  const connect = (): Promise<void> => new Promise((resolve) => {
    const s = new WebSocket(o.url.replace(/^http/, 'ws') + '/epos', { headers: { authorization: `Basic ${o.keys.ws}`, 'software-house-id': 'fuzz-ws' } });
    s.on('message', (d, isBinary) => {
      if (isBinary) return;
      try { answer(s, JSON.parse(d.toString()) as { id: string; method: string }); } catch { /* not ours to judge */ }
    });
    s.on('error', () => {});
    s.once('unexpected-response', (_q, res) => { t.closeCodes[`upgrade ${res.statusCode}`] = (t.closeCodes[`upgrade ${res.statusCode}`] ?? 0) + 1; resolve(); });
    s.once('open', () => { ws = s; resolve(); });
    s.once('close', (code) => {
      t.closeCodes[code] = (t.closeCodes[code] ?? 0) + 1;
      if (ws === s) ws = undefined;
      if (!finished()) setTimeout(() => { void connect(); }, 50);
    });
  });
  await connect();

  const calls = samples(dataRequests(o.keys.ws, false), o.seed, o.frames * 10);
  await lanes(o.concurrency, () => calls.next(), async (r, i) => {
    const t1 = performance.now();
    try {
      const s = await o.client.send(r);
      if (!s) { t.clientRefused += 1; return; }
      count(t, s, performance.now() - t1, r);
      if (s.status >= 500 && !wsAllowed5xx(s.status, s.json)) o.fail({ surface: 'ws-frames', index: i, kind: '5xx', request: describeRequest(r), response: `${s.status} ${s.text.slice(0, 500)}\n  frames sent just before:\n    ${recent.join('\n    ')}` });
    } catch (err) {
      o.fail({ surface: 'ws-frames', index: i, kind: (err as { kind?: Failure['kind'] }).kind ?? 'connection', request: describeRequest(r), response: (err as Error).message });
    }
  }, finished);
  done = true;
  ws?.close();
  return t;
}

function bump(id: string, delta: number): string {
  const m = /^(.*?)(\d+)$/.exec(id);
  return m ? `${m[1]}${Number(m[2]) + delta}` : `${id}x`;
}
