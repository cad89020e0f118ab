// The call log's writer. Recording must never slow or fail a call, so the call path does one thing:
// push a small object (references to what the call already holds) onto a bounded in-memory queue.
// A background flusher turns queued calls into rows (redaction, capping, JSON) and writes them in
// batches, one transaction each. A full queue drops the call and counts it; a failing store loses
// that batch (counted, logged) and the calls go on.
import type { Logger } from 'pino';
import { isPlatformError } from '../errors.ts';
import { clip, type Limits } from '../limits.ts';
import type { CallRecord, CallSource, CallStore } from '../store/store.ts';
import type { Caller, Tenant } from '../tenant.ts';
import { isSecretKey, redactedJson, redactedJsonText } from '../transports/eposAnswer.ts';
import { newCallId } from './ids.ts';

/** What the dispatcher hands over per call: no copying, no serialising. */
export interface PendingCall {
  tenant: Tenant;
  capability: string;
  transport: 'ws' | 'rest' | null;
  source: CallSource;
  requestor: object;
  params: unknown;
  /**
   * The result when ok (absent when `outcomeJson` holds it); the thrown error otherwise.
   */
  outcome?: unknown;
  /**
   * The result's JSON text, when the call path already wrote it (the product API's answer). The
   * queue then holds this one string, not the parsed result: an order's hundreds of small objects
   * kept until the batch is written survive the young generation's collections and cost GC time
   * on every call (B2).
   */
  outcomeJson?: string;
  ok: boolean;
  atMs: number;
  latencyMs: number;
}

export interface CallLogOptions {
  store: Pick<CallStore, 'insertMany'>;
  node: string;
  limits: Pick<Limits, 'callLogQueue' | 'callLogBatch' | 'callLogFlushMs' | 'callLogBodyChars'>;
  logger: Logger;
}

/** Longest requestor header name or value kept. */
const REQUESTOR_CHARS = 256;

/** Batches handed to the store and not yet written, at most; the next waits for one to finish. */
const WRITES_IN_FLIGHT = 2;

/** Drops are logged at most this often (with the count since the last line). */
const DROP_LOG_MS = 10_000;

export class CallLog {
  private queue: PendingCall[] = [];
  private timer?: NodeJS.Timeout;
  private timerSoon = false;
  private flushing?: Promise<void>;
  /** Batches handed to the store and not yet written (at most WRITES_IN_FLIGHT). */
  private readonly writes = new Set<Promise<void>>();
  private closed = false;
  /** Calls not recorded: queue full, or their batch failed to write. */
  dropped = 0;
  /** Calls written. */
  written = 0;
  private droppedLogged = 0;
  private lastDropLog = 0;

  constructor(private readonly o: CallLogOptions) {}

  /** The call path's one step: O(1), never throws, never waits. */
  record(c: PendingCall): void {
    if (this.closed || this.queue.length >= this.o.limits.callLogQueue) {
      this.dropped++;
      this.noteDrops();
      return;
    }
    this.queue.push(c);
    if (this.queue.length >= this.o.limits.callLogBatch) this.schedule(0);
    else this.schedule(this.o.limits.callLogFlushMs);
  }

  /** Writes everything queued so far (the next batches included). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing || this.queue.length || this.writes.size) {
      if (this.flushing) await this.flushing;
      else if (this.queue.length) await this.run();
      else await Promise.all(this.writes);
    }
  }

  /** Stops taking calls and writes those queued (drain). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    this.noteDrops(true);
  }

  private schedule(ms: number): void {
    if (this.flushing) return; // the running flush picks the queue up when it ends
    // A timer already due as soon (or sooner) stands: the call path sets at most two per batch.
    if (this.timer && (ms > 0 || this.timerSoon)) return;
    clearTimeout(this.timer);
    this.timerSoon = ms === 0;
    this.timer = setTimeout(() => { this.timer = undefined; void this.run(); }, ms);
    this.timer.unref();
  }

  private run(): Promise<void> {
    this.flushing ??= this.writeBatches().finally(() => {
      this.flushing = undefined;
      if (this.queue.length && !this.closed) this.schedule(this.o.limits.callLogFlushMs);
    });
    return this.flushing;
  }

  /**
   * Hands what is queued to the store, then more only while a whole batch waits: a part batch
   * waits for its timer (callLogFlushMs) or to fill. Taking whatever had come in during the last
   * write made batches of ~95 rows in B2; calls.db's insert alone costs ~15% more per row at 100
   * than at 500. The next batch does not wait for the last one's write (up to WRITES_IN_FLIGHT):
   * calls held in the queue meanwhile, their answers' texts with them, outlived the young
   * generation's collections and cost GC time on every call (B2, BENCHMARKS.md).
   */
  private async writeBatches(): Promise<void> {
    do {
      const batch = this.queue.splice(0, this.o.limits.callLogBatch);
      if (!batch.length) return;
      const rows: CallRecord[] = [];
      for (const c of batch) {
        try {
          rows.push(this.row(c));
        } catch (err) {
          // A body JSON cannot hold (a BigInt from some caller): that call alone is not recorded.
          this.dropped++;
          this.o.logger.warn({ err, capability: c.capability }, 'call log: a call could not be serialised; not recorded');
        }
      }
      this.write(rows);
      // Between batches the event loop serves requests; a store behind by WRITES_IN_FLIGHT is waited for.
      if (this.writes.size >= WRITES_IN_FLIGHT) await Promise.race(this.writes);
      else if (this.queue.length >= this.o.limits.callLogBatch) await new Promise<void>((resolve) => setImmediate(resolve));
    } while (this.queue.length >= this.o.limits.callLogBatch);
  }

  /** Hands `rows` to the store (which takes them before it returns: calls.db's writer gets a copy). */
  private write(rows: CallRecord[]): void {
    const n = rows.length; // not `rows`: held until the write ends, the texts would be too
    const w: Promise<void> = this.o.store.insertMany(rows).then(
      () => { this.written += n; },
      (err: unknown) => {
        this.dropped += n;
        this.o.logger.warn({ err, calls: n }, 'call log: a batch could not be written; those calls are not in the log');
      },
    ).finally(() => this.writes.delete(w));
    this.writes.add(w);
  }

  /** A queued call as a row: bodies redacted and capped here, off the call path. */
  private row(c: PendingCall): CallRecord {
    const max = this.o.limits.callLogBodyChars;
    const request = stored(redactedJson(c.params ?? {}, max));
    // An answer known only by its text is parsed again only when the text may hold a secret.
    const response = stored(!c.ok ? redactedJson(errorBody(c.outcome), max)
      : c.outcomeJson !== undefined ? redactedJsonText(c.outcomeJson, max) : redactedJson(c.outcome ?? null, max));
    const code = c.ok ? undefined : isPlatformError(c.outcome) ? c.outcome.code : 'INTERNAL';
    return {
      id: newCallId(c.atMs),
      tenant: { accountId: c.tenant.accountId, env: c.tenant.env },
      atMs: c.atMs,
      capability: c.capability,
      transport: c.transport,
      node: this.o.node,
      source: c.source,
      status: c.ok ? 'ok' : 'error',
      ...(code ? { errorCode: code } : {}),
      latencyMs: Math.round(c.latencyMs * 100) / 100,
      requestor: { ...callerOf(c.tenant), ...requestorOf(c.requestor, max) },
      request: request.text,
      response: response.text,
      truncated: request.truncated || response.truncated,
    };
  }

  private noteDrops(force = false): void {
    const now = Date.now();
    const since = this.dropped - this.droppedLogged;
    if (since === 0 || (!force && now - this.lastDropLog < DROP_LOG_MS)) return;
    this.lastDropLog = now;
    this.droppedLogged = this.dropped;
    this.o.logger.warn({ dropped: since, droppedTotal: this.dropped }, 'call log: queue full (limits.callLogQueue), calls not recorded');
  }
}

/** A body as stored: its redacted, capped JSON text, and whether the cap cut it. */
function stored(text: string): { text: string; truncated: boolean } {
  // A whole JSON text never ends in "…" (strings end in a quote): only a cut excerpt does.
  return { text, truncated: text.endsWith('…') };
}

/** An error as the log keeps it: the platform's code, message and details, an EPOS's own error. */
function errorBody(err: unknown): Record<string, unknown> {
  if (isPlatformError(err)) {
    return {
      code: err.code, message: err.message,
      ...(err.details ? { details: err.details } : {}),
      ...(err.extra ?? {}),
    };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** Who asked, when the tenant is a caller of the API (data API, tester): its software house and reseller. */
function callerOf(t: Tenant): Record<string, string> {
  const c = t as Partial<Caller>;
  return {
    ...(typeof c.softwareHouseId === 'string' ? { softwareHouseId: clip(c.softwareHouseId, REQUESTOR_CHARS) } : {}),
    ...(typeof c.resellerId === 'string' ? { resellerId: clip(c.resellerId, REQUESTOR_CHARS) } : {}),
  };
}

/** Requestor headers as short strings; a secret-like one (should one appear) redacted by the same rule as bodies. */
function requestorOf(h: object, max: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (typeof v !== 'string') continue;
    out[k.slice(0, REQUESTOR_CHARS)] = isSecretKey(k) ? '[redacted]' : clip(v, Math.min(max, REQUESTOR_CHARS));
  }
  return out;
}
