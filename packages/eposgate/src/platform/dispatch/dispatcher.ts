// invoke(tenant, capability, params, requestor): the one way anything reaches an EPOS.
// Refuses what is not registered, picks the transport, validates both ways, records metrics.
import { findCapability, type Capability } from '@eposgate/contract';
import { validateParams, validateResult } from '@eposgate/contract';
import { PlatformError, isPlatformError, type FieldIssue } from '../errors.ts';
import { clip } from '../limits.ts';
import type { Registry } from '../registry/registry.ts';
import type { Tenant } from '../tenant.ts';
import type { RequestorHeaders, Transport } from '../transports/transport.ts';
import { isSecretKey, redactedExcerpt } from '../redaction.ts';
import type { Metrics } from './metrics.ts';
import type { CallLog } from '../calllog/recorder.ts';
import type { CallSource } from '../store/store.ts';

export interface DispatcherOptions {
  registry: Registry;
  ws: Transport;
  rest: Transport;
  /** True when the tenant has an open EPOS socket (decides between WS and REST when both are registered). */
  wsConnected(tenant: Tenant): boolean;
  metrics: Metrics;
  /** Default per-call timeout. */
  timeoutMs: number;
  /** Validate params before sending and results on return. Default true for both. */
  validateParams?: boolean;
  validateResults?: boolean;
  /** Longest excerpt of an EPOS's result quoted in a CONTRACT_VIOLATION body (limits.errorExcerptChars). Default 200. */
  excerptChars?: number;
  /** Where every invoke is recorded (docs/call-log.md); absent: nothing is. */
  callLog?: CallLog;
}

/** Issues quoted in a CONTRACT_VIOLATION body; the rest are counted in the message. */
const QUOTED_ISSUES = 10;

export interface InvokeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Told which transport the call goes out on, once picked (the event worker's attempt log). */
  onTransport?: (kind: Transport['kind']) => void;
  /** Who invoked, as the call log records it. Default `data-api`. */
  source?: CallSource;
}

export class Dispatcher {
  constructor(private readonly o: DispatcherOptions) {}

  // invoke and invokeJson hand back run()'s promise itself: an async function returning a promise
  // would wait on it as on any thenable, two more jobs on every call.
  invoke(tenant: Tenant, capability: string | Capability, params: Record<string, unknown>, requestor: RequestorHeaders = {}, opts: InvokeOptions = {}): Promise<unknown> {
    return this.run(tenant, capability, params, requestor, opts, false);
  }

  /**
   * invoke(), answering with the result's JSON text (undefined for no result): what the product API
   * sends. The call log keeps the same text, so a result is serialised once, not once per use.
   */
  invokeJson(tenant: Tenant, capability: string | Capability, params: Record<string, unknown>, requestor: RequestorHeaders = {}, opts: InvokeOptions = {}): Promise<string | undefined> {
    return this.run(tenant, capability, params, requestor, opts, true) as Promise<string | undefined>;
  }

  /**
   * run, call and send hand one promise along, settled by one reaction on the transport's answer
   * (and one more to record it when the log is on): no async frame of their own, each of which
   * cost a call another promise and resumption (B2).
   */
  private run(tenant: Tenant, capability: string | Capability, params: Record<string, unknown>, requestor: RequestorHeaders,
    opts: InvokeOptions, json: boolean): Promise<unknown> {
    const log = this.o.callLog;
    if (!log) return this.call(tenant, capability, params, requestor, opts, undefined, json);
    const atMs = Date.now();
    const started = performance.now();
    const used: { transport: Transport['kind'] | null } = { transport: null };
    const name = typeof capability === 'string' ? capability : capability.name;
    const source = opts.source ?? 'data-api';
    return this.call(tenant, capability, params, requestor, opts, used, json).then(
      (out) => {
        // With `json`, `out` is the result's text (undefined for no result), which the log keeps as it is.
        log.record({ tenant, capability: name, transport: used.transport, source, requestor, params, outcome: json ? undefined : out, outcomeJson: json ? out as string | undefined : undefined, ok: true, atMs, latencyMs: performance.now() - started });
        return out;
      },
      (err: unknown) => {
        log.record({ tenant, capability: name, transport: used.transport, source, requestor, params, outcome: err, ok: false, atMs, latencyMs: performance.now() - started });
        throw err;
      },
    );
  }

  /** The call itself, its result as JSON text when `json`; `used` learns the transport picked (for the call log). */
  private call(tenant: Tenant, capability: string | Capability, params: Record<string, unknown>, requestor: RequestorHeaders,
    opts: InvokeOptions, used: { transport: Transport['kind'] | null } | undefined, json: boolean): Promise<unknown> {
    let cap: Capability;
    let on: { ws: boolean; rest: boolean } | undefined;
    try {
      const found = typeof capability === 'string' ? findCapability(capability) : capability;
      if (!found) throw new PlatformError('UNKNOWN_CAPABILITY', `unknown capability "${String(capability)}"`);
      cap = found;
      if (cap.status === 'preview') {
        throw new PlatformError('CAPABILITY_PREVIEW', `${cap.name} is a preview capability without a published contract: the platform does not invoke it yet`);
      }
      if (this.o.validateParams !== false) {
        const issues = validateParams(cap, params);
        if (issues) throw new PlatformError('VALIDATION_FAILED', `${cap.name} params: ${issues[0]!.path}: ${issues[0]!.message}`, { details: issues });
      }
      on = this.o.registry.transportsForNow(tenant, cap);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!on) return this.o.registry.transportsFor(tenant, cap).then((t) => this.send(tenant, cap, t, params, requestor, opts, used, json));
    return this.send(tenant, cap, on, params, requestor, opts, used, json);
  }

  private send(tenant: Tenant, cap: Capability, on: { ws: boolean; rest: boolean }, params: Record<string, unknown>, requestor: RequestorHeaders,
    opts: InvokeOptions, used: { transport: Transport['kind'] | null } | undefined, json: boolean): Promise<unknown> {
    let transport: Transport;
    try {
      transport = this.chosen(tenant, cap, on);
      opts.onTransport?.(transport.kind);
    } catch (err) {
      return Promise.reject(err);
    }
    if (used) used.transport = transport.kind;
    const metrics = this.o.metrics;
    const started = performance.now();
    // A plain counter, read on scrape: no finally (and no promise) added to the call.
    metrics.inFlight++;
    let answer: Promise<unknown>;
    try {
      answer = transport.call(tenant, cap, params, requestor, { timeoutMs: opts.timeoutMs ?? this.o.timeoutMs, signal: opts.signal });
    } catch (err) {
      answer = Promise.reject(err);
    }
    return answer.then(
      (result) => {
        metrics.inFlight--;
        if (this.o.validateResults !== false) {
          const issues = validateResult(cap, result);
          if (issues) {
            const err = this.contractViolation(cap, transport.kind, result, issues);
            metrics.record(cap.name, transport.kind, performance.now() - started, err.code);
            throw err;
          }
        }
        metrics.record(cap.name, transport.kind, performance.now() - started);
        return json ? jsonOf(result) : result;
      },
      (err: unknown) => {
        metrics.inFlight--;
        metrics.record(cap.name, transport.kind, performance.now() - started, isPlatformError(err) ? err.code : 'INTERNAL');
        throw err;
      },
    );
  }

  /**
   * The body quotes the first issues and a short excerpt of the result with secret-like values
   * redacted, never the result itself: a sandbox "EPOS" may be an internal service whose answer is
   * not the caller's to read. The whole result rides on a non-enumerable `extra.result`, which the
   * tester reads to show the step and which no JSON body serialises.
   */
  private contractViolation(cap: Capability, transport: string, result: unknown, issues: FieldIssue[]): PlatformError {
    const max = this.o.excerptChars ?? 200;
    const first = issues[0]!;
    const more = issues.length > QUOTED_ISSUES ? ` (and ${issues.length - QUOTED_ISSUES} more issues not shown)` : '';
    const extra: Record<string, unknown> = { capability: cap.name, transport, resultExcerpt: redactedExcerpt(result, max) };
    Object.defineProperty(extra, 'result', { value: result, enumerable: false });
    return new PlatformError('CONTRACT_VIOLATION',
      `the EPOS answered ${cap.name} with a result that breaks the contract at ${clip(first.path, max)}: ${clip(first.message, max)}${more}`,
      { details: issues.slice(0, QUOTED_ISSUES).map((i) => quotedIssue(i, max)), extra });
  }

  /**
   * WS when the capability is registered there and a socket is open; else REST when registered
   * there; else WS (which waits briefly for a reconnect, then says the EPOS is not connected).
   * `on` comes from the registry's cache when it can (no await on the call path).
   */
  private chosen(tenant: Tenant, cap: Capability, on: { ws: boolean; rest: boolean }): Transport {
    if (on.ws && (!on.rest || this.o.wsConnected(tenant))) return this.o.ws;
    if (on.rest) return this.o.rest;
    throw new PlatformError('CAPABILITY_NOT_REGISTERED',
      `${cap.name} is not registered for this account (${tenant.env}): register it with PUT /epos/integrations/ws or /rest before it can be invoked`,
      { extra: { capability: cap.name } });
  }
}

/** A result's JSON text; undefined for none (null or undefined: the product API answers with an empty body). */
function jsonOf(result: unknown): string | undefined {
  return result === null || result === undefined ? undefined : JSON.stringify(result);
}

/** An issue as quoted in an error body: path, message and expected clipped; `actual` short and redacted. */
function quotedIssue(i: FieldIssue, max: number): FieldIssue {
  // Under a secret-like key anywhere on the path (`$.card.number`), the value is not quoted at all.
  const keys = [...i.path.matchAll(/\.([A-Za-z_$][\w$]*)|\["((?:[^"\\]|\\.)*)"\]/g)].map((m) => m[1] ?? m[2]!);
  let actual = i.actual;
  if (actual !== undefined && keys.some(isSecretKey)) actual = '[redacted]';
  else if (typeof actual === 'string') actual = clip(actual, max);
  else if (actual !== null && typeof actual === 'object') actual = redactedExcerpt(actual, max);
  return {
    path: clip(i.path, max),
    message: clip(i.message, max),
    ...(i.expected !== undefined ? { expected: clip(i.expected, max) } : {}),
    ...(actual !== undefined ? { actual } : {}),
    ...(i.suggestion !== undefined ? { suggestion: clip(i.suggestion, max) } : {}),
  };
}
