// The call log's writer. Recording must never slow or fail a call, so the call path does one thing:
// push a small object (references to what the call already holds) onto a bounded in-memory queue.
// At the end of the event loop's turn those calls become rows (redaction, capping, JSON), and a
// background flusher writes the rows in batches, one transaction each. A full queue drops the call
// and counts it; a failing store loses that batch (counted, logged) and the calls go on.
import type { Logger } from 'pino';
import { isPlatformError } from '../errors.ts';
import { clip, type Limits } from '../limits.ts';
import type { CallSource, CallStore, RawCall } from '../store/store.ts';
import type { Caller, Tenant } from '../tenant.ts';
import { isSecretKey, redactedJson, redactedJsonText } from '../redaction.ts';
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
  store: Pick<CallStore, 'insertMany' | 'insertRaw'>;
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
  /** Calls recorded in this turn of the event loop, made rows at its end (prepare). */
  private fresh: PendingCall[] = [];
  private preparing = false;
  /** Rows waiting for their batch. */
  private queue: RawCall[] = [];
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
    if (this.closed || this.queue.length + this.fresh.length >= this.o.limits.callLogQueue) {
      this.dropped++;
      this.noteDrops();
      return;
    }
    this.fresh.push(c);
    if (!this.preparing) {
      this.preparing = true;
      setImmediate(this.prepare);
    }
  }

  /**
   * The turn's calls as rows, once the turn's answers are on their way (the check phase), while
   * their objects are still in the CPU's cache: made at flush time, ~7 ms of other requests later
   * under B2, every row read its call's objects back from memory (BENCHMARKS.md, fourteenth pass).
   */
  private readonly prepare = (): void => {
    this.preparing = false;
    this.takeFresh();
    if (this.queue.length >= this.o.limits.callLogBatch) this.schedule(0);
    else if (this.queue.length) this.schedule(this.o.limits.callLogFlushMs);
  };

  private takeFresh(): void {
    const fresh = this.fresh;
    this.fresh = [];
    for (const c of fresh) {
      try {
        this.queue.push(this.row(c));
      } catch (err) {
        // A body JSON cannot hold (a BigInt from some caller): that call alone is not recorded.
        this.dropped++;
        this.o.logger.warn({ err, capability: c.capability }, 'call log: a call could not be serialised; not recorded');
      }
    }
  }

  /** Writes everything queued so far (the next batches included). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.fresh.length || this.flushing || this.queue.length || this.writes.size) {
      if (this.fresh.length) this.takeFresh();
      else if (this.flushing) await this.flushing;
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
      const rows = this.queue.splice(0, this.o.limits.callLogBatch);
      if (!rows.length) return;
      this.write(rows);
      // Between batches the event loop serves requests; a store behind by WRITES_IN_FLIGHT is waited for.
      if (this.writes.size >= WRITES_IN_FLIGHT) await Promise.race(this.writes);
      else if (this.queue.length >= this.o.limits.callLogBatch) await new Promise<void>((resolve) => setImmediate(resolve));
    } while (this.queue.length >= this.o.limits.callLogBatch);
  }

  /** Hands `rows` to the store (which takes them before it returns: calls.db's writer gets a copy). */
  private write(rows: RawCall[]): void {
    const n = rows.length; // not `rows`: held until the write ends, the texts would be too
    const { store } = this.o;
    const w: Promise<void> = (store.insertRaw ? store.insertRaw(rows, this.o.limits.callLogBodyChars) : store.insertMany(rows)).then(
      () => { this.written += n; },
      (err: unknown) => {
        this.dropped += n;
        this.o.logger.warn({ err, calls: n }, 'call log: a batch could not be written; those calls are not in the log');
      },
    ).finally(() => this.writes.delete(w));
    this.writes.add(w);
  }

  /**
   * A queued call as a row: bodies redacted and capped here, off the call path. An answer known by
   * its text and no longer than the cap is left raw for a store that redacts (insertRaw: SQLite,
   * on its writer thread); otherwise the text is parsed again only when it may hold a secret.
   */
  private row(c: PendingCall): RawCall {
    const max = this.o.limits.callLogBodyChars;
    const request = redactedJson(c.params ?? {}, max);
    const raw = c.ok && c.outcomeJson !== undefined && c.outcomeJson.length <= max && this.o.store.insertRaw !== undefined;
    const response = raw ? c.outcomeJson! : !c.ok ? redactedJson(errorBody(c.outcome), max)
      : c.outcomeJson !== undefined ? redactedJsonText(c.outcomeJson, max) : redactedJson(c.outcome ?? null, max);
    // One shape for every row and no spread: V8 defines the properties that follow a spread in a
    // literal one by one in the runtime (B2's profile: ~0.5 µs a call).
    const row: RawCall = {
      id: newCallId(c.atMs),
      tenant: { accountId: c.tenant.accountId, env: c.tenant.env },
      atMs: c.atMs,
      capability: c.capability,
      transport: c.transport,
      node: this.o.node,
      source: c.source,
      status: c.ok ? 'ok' : 'error',
      latencyMs: Math.round(c.latencyMs * 100) / 100,
      requestor: requestorOf(c.tenant, c.requestor, max),
      request,
      response,
      truncated: cut(request) || (!raw && cut(response)),
      rawResponse: raw,
    };
    if (!c.ok) row.errorCode = isPlatformError(c.outcome) ? c.outcome.code : 'INTERNAL';
    return row;
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

/** Whether the cap cut a body as stored: a whole JSON text never ends in "…" (strings end in a quote), only a cut excerpt does. */
function cut(text: string): boolean {
  return text.endsWith('…');
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

/**
 * Who asked: the software house and reseller of a tenant that is a caller of the API (data API,
 * tester), then the requestor headers as short strings, a secret-like one (should one appear)
 * redacted by the same rule as bodies. One object, filled in place.
 */
function requestorOf(t: Tenant, h: object, max: number): Record<string, string> {
  const out: Record<string, string> = {};
  const c = t as Partial<Caller>;
  if (typeof c.softwareHouseId === 'string') out.softwareHouseId = clip(c.softwareHouseId, REQUESTOR_CHARS);
  if (typeof c.resellerId === 'string') out.resellerId = clip(c.resellerId, REQUESTOR_CHARS);
  for (const k of Object.keys(h)) {
    const v = (h as Record<string, unknown>)[k];
    if (typeof v !== 'string') continue;
    out[k.slice(0, REQUESTOR_CHARS)] = isSecretKey(k) ? '[redacted]' : clip(v, Math.min(max, REQUESTOR_CHARS));
  }
  return out;
}
