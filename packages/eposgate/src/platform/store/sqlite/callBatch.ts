// calls.db keeps the call log as batches: one row per tenant per batch the flusher writes, not
// one row per call (docs/call-log.md, "Storage"). A row per call cost SQLite ~8–14 µs of the writer
// thread on B2's call (16 values bound, three b-trees); a batch row costs one insert for ~100 calls.
//
// A batch row holds two texts:
// - `heads`: a JSON array with one small array per call (HEAD below): what pages filter and sort on,
//   and the lengths of the call's three bodies;
// - `bodies`: those bodies end to end (requestor JSON, request, response, then the next call's), so
//   they are neither escaped into JSON on the way in nor parsed on the way out: a page slices them.
// A call's seq is the batch's first_seq plus its place, unless its head carries one (a batch that
// retention thinned keeps the seqs its calls had). Calls carried over from the table of one row per
// call carry their bodies in the head itself, as strings (migration calls-002-batches).
import type { CallRecord, CallSource, RawCall, StoredCall } from '../store.ts';
import type { Tenant } from '../../tenant.ts';

/** Where each field sits in a call's head. */
export const HEAD = {
  id: 0, at: 1, capability: 2, error: 3, errorCode: 4, latency: 5, transport: 6, node: 7, source: 8, truncated: 9,
  requestor: 10, request: 11, response: 12, seq: 13,
} as const;

/** A call's head; its three bodies are lengths into the batch's `bodies`, or (carried over) the texts. */
export type Head = [
  id: string, at: number, capability: string, error: 0 | 1, errorCode: string | null, latencyHundredths: number,
  transport: 'ws' | 'rest' | null, node: string, source: CallSource, truncated: 0 | 1,
  requestor: number | string, request: number | string, response: number | string, seq?: number,
];

/**
 * One tenant's calls of a batch as posted to the writer thread. The thread redacts the raw
 * responses, joins `parts` into the row's `bodies` (each lone surrogate made U+FFFD first) and
 * adds the seqs: the join and its scan are a copy and a pass over every body, kept off the event loop.
 */
export interface EncodedBatch {
  accountId: string; env: string; n: number; firstAt: number; lastAt: number; errors: number; heads: string;
  /** Each call's requestor JSON, request and response, in order: the row's `bodies` in pieces. */
  parts: string[];
  /** The calls (places in the batch) whose response is still raw (RawCall), for the thread to redact. */
  raw: number[];
}

/** `calls` (one tenant's, in the order written) as one batch row; with `raw`, their responses may be raw (RawCall). */
export function encodeBatch(calls: readonly CallRecord[], raw: boolean): EncodedBatch {
  const heads: Head[] = new Array(calls.length);
  const parts: string[] = new Array(calls.length * 3);
  const rawAt: number[] = [];
  let firstAt = Infinity;
  let lastAt = -Infinity;
  let errors = 0;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const requestor = JSON.stringify(c.requestor);
    if (raw && (c as Partial<RawCall>).rawResponse === true) rawAt.push(i);
    const error = c.status === 'error' ? 1 : 0;
    heads[i] = [c.id, c.atMs, c.capability, error, c.errorCode ?? null, Math.round(c.latencyMs * 100), c.transport, c.node, c.source,
      c.truncated ? 1 : 0, requestor.length, c.request.length, c.response.length];
    parts[i * 3] = requestor;
    parts[i * 3 + 1] = c.request;
    parts[i * 3 + 2] = c.response;
    if (c.atMs < firstAt) firstAt = c.atMs;
    if (c.atMs > lastAt) lastAt = c.atMs;
    errors += error;
  }
  const t = calls[0]!.tenant;
  return { accountId: t.accountId, env: t.env, n: calls.length, firstAt, lastAt, errors, heads: JSON.stringify(heads), parts, raw: rawAt };
}

/**
 * A head's latency, kept in hundredths of a millisecond (the recorder rounds to them): writing an
 * integer costs JSON.stringify a fraction of writing a fraction.
 */
export function latencyOf(h: Head): number {
  return h[HEAD.latency] / 100;
}

/** A call of a batch as read: its head, seq, and where its bodies start in the batch's `bodies`. */
export interface CallAt { head: Head; seq: number; at: number; offset: number; batch: number }

/** The calls of a batch row (`batch`: its rowid, carried along for reading its bodies). */
export function callsOf(row: { rid: number; first_seq: number; heads: string }): CallAt[] {
  const heads = JSON.parse(row.heads) as Head[];
  const out: CallAt[] = new Array(heads.length);
  let offset = 0;
  for (let i = 0; i < heads.length; i++) {
    const h = heads[i]!;
    out[i] = { head: h, seq: h[HEAD.seq] ?? row.first_seq + i, at: h[HEAD.at], offset, batch: row.rid };
    if (typeof h[HEAD.request] === 'number') offset += (h[HEAD.requestor] as number) + (h[HEAD.request] as number) + (h[HEAD.response] as number);
  }
  return out;
}

/** Newest first: at, then seq, descending. */
export function newestFirst(a: CallAt, b: CallAt): number {
  return b.at - a.at || b.seq - a.seq;
}

/** The call `c` whole, its bodies sliced from its batch's `bodies`. */
export function storedCall(tenant: Tenant, c: CallAt, bodies: string): StoredCall {
  const h = c.head;
  const errorCode = h[HEAD.errorCode];
  let requestor: string; let request: string; let response: string;
  if (typeof h[HEAD.request] === 'number') {
    const a = c.offset + (h[HEAD.requestor] as number);
    const b = a + (h[HEAD.request] as number);
    requestor = bodies.slice(c.offset, a);
    request = bodies.slice(a, b);
    response = bodies.slice(b, b + (h[HEAD.response] as number));
  } else {
    [requestor, request, response] = [h[HEAD.requestor] as string, h[HEAD.request] as string, h[HEAD.response] as string];
  }
  return {
    id: h[HEAD.id], tenant: { accountId: tenant.accountId, env: tenant.env }, seq: c.seq, atMs: c.at,
    capability: h[HEAD.capability], transport: h[HEAD.transport], node: h[HEAD.node], source: h[HEAD.source],
    status: h[HEAD.error] ? 'error' : 'ok',
    ...(errorCode !== null ? { errorCode } : {}),
    latencyMs: latencyOf(h), requestor: JSON.parse(requestor) as Record<string, string>, request, response,
    truncated: h[HEAD.truncated] === 1,
  };
}
