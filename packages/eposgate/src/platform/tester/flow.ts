// What a flow module declares (FlowDef) and what it works with while it runs (FlowRun, Step): every
// call goes through dispatcher.invoke(), the path products use, and every step is recorded as it
// starts and ends. The Tester (runner.ts) starts runs and settles them; flows never import it.
import type { CapabilityName, ResultOf } from '@eposgate/contract';
import { isEposError, type EPOSError, type EposErrorType } from '@eposgate/contract';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import { PlatformError, isPlatformError } from '../errors.ts';
import type { IntegrationView, Registry } from '../registry/registry.ts';
import type { Tenant } from '../tenant.ts';
import { clip } from '../limits.ts';
import type { RequestorHeaders } from '../transports/transport.ts';
import { CheckFailure, describeProblem } from './checks.ts';
import type { Product, ProductRole } from './products.ts';
import type { Exchange, FlowStatus, Problem, StepRecord } from './records.ts';
import { EPOS_SAID_CHARS } from './report.ts';

export type ParamType = 'string' | 'integer' | 'boolean';
export type ParamValue = string | number | boolean;

export interface ParamDef {
  name: string;
  type: ParamType;
  required: boolean;
  description: string;
  default?: ParamValue;
}

export interface FlowDef {
  /** What POST /flows takes as `flow` ("Get Order"). */
  name: string;
  /** What the result reports as `flowName` ("Get Order through EPOS Data API"). */
  flowName: string;
  description: string;
  changesData: boolean;
  requires: CapabilityName[];
  requiresOneOf?: CapabilityName[][];
  uses?: CapabilityName[];
  params: ParamDef[];
  /** Products that depend on this flow: `required`, or `if registered` (must pass when it applies). */
  products?: Partial<Record<Product, ProductRole>>;
  /** Flow families group the catalogue in docs and CLI output. */
  family: string;
  /** Transports the flow applies to (protocol flows are WebSocket only). Default: both. */
  transports?: readonly ('ws' | 'rest')[];
  /**
   * Fault specs of the reference EPOS (`eposgate epos --faults`, src/epos/faults.ts) under which
   * this flow must fail, naming the rule it broke: the conformance suite turns each on and checks.
   */
  faults?: readonly string[];
  run(run: FlowRun): Promise<void>;
}

/** Who the EPOS sees asking, on every tester call. */
export const TESTER_REQUESTOR: RequestorHeaders = { dojoRequestingProduct: 'EPOS Tester' };

/** What protocol flows reach past the dispatcher on a WebSocket EPOS (EposGateway implements it). */
export interface TesterWire {
  rawCall(tenant: Tenant, method: string, params: Record<string, unknown>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Record<string, unknown>>;
  restartSockets(tenant: Tenant, withinMs: number, signal?: AbortSignal): Promise<{ closed: number; reconnectedAfterMs?: number }>;
}

/** What a run needs from the Tester that started it. */
export interface FlowHost {
  readonly dispatcher: Dispatcher;
  readonly registry: Registry;
  readonly callTimeoutMs?: number;
  readonly wire?: TesterWire;
  readonly now: () => Date;
}

/**
 * The name a capability goes by in check steps and their messages: the registration name without
 * a trailing `ById`, as the guide's example does ("GetOrder" for GetOrderById). Names without that
 * suffix are kept as they are ("CreateOrderLock", "HandleEvent:payment_intent.created").
 */
export function shortName(capability: string): string {
  return capability.endsWith('ById') ? capability.slice(0, -'ById'.length) : capability;
}

/** Thrown inside a flow once a step failed: stops the flow, the step already says why. */
export class StopFlow extends Error {
  constructor(readonly status: Exclude<FlowStatus, 'SUCCESS' | 'IN_PROGRESS'>) {
    super(`flow stopped: ${status}`);
  }
}

/** A call to the EPOS that did not give a result. */
export class CallFailure extends Error {
  constructor(readonly capability: string, readonly error: PlatformError) {
    super(`${capability}: ${error.message}`);
  }

  get eposError(): EPOSError | undefined {
    const e = this.error.extra?.eposError;
    return this.error.code === 'EPOS_ERROR' && isEposError(e) ? e : undefined;
  }
}

function asPlatformError(err: unknown): PlatformError {
  if (isPlatformError(err)) return err;
  return new PlatformError('INTERNAL', err instanceof Error ? err.message : String(err));
}

/** What a step knows while it runs: the calls it makes and the checks it does are recorded on it. */
export class Step {
  constructor(private readonly run: FlowRun, readonly record: StepRecord) {}

  /** Adds lines to additionalInformation. */
  info(...lines: string[]): void {
    this.record.additionalInformation.push(...lines);
  }

  /**
   * Invokes a capability through the dispatcher and records the exchange. `requestor` adds to the
   * tester's headers (a second terminal: another deviceId); `opts.timeoutMs` bounds this call.
   */
  async call<N extends CapabilityName>(capability: N, params: Record<string, unknown>, requestor?: RequestorHeaders, opts: { timeoutMs?: number } = {}): Promise<ResultOf<N>> {
    const ex: Exchange = { capability, params, ms: 0 };
    (this.record.exchanges ??= []).push(ex);
    const t0 = performance.now();
    try {
      const result = await this.run.invoke(capability, params, requestor, opts.timeoutMs);
      ex.result = result === undefined ? null : result;
      return result as never;
    } catch (err) {
      const pe = asPlatformError(err);
      // A result that broke the contract is kept as the EPOS sent it, so the vendor sees it whole.
      if (pe.code === 'CONTRACT_VIOLATION' && pe.extra && 'result' in pe.extra) ex.result = pe.extra.result;
      ex.error = {
        code: pe.code,
        message: pe.message,
        ...(pe.code === 'EPOS_ERROR' && isEposError(pe.extra?.eposError) ? { eposError: pe.extra.eposError } : {}),
        ...(pe.details ? { details: pe.details } : {}),
      };
      throw new CallFailure(capability, pe);
    } finally {
      ex.ms = Math.round(performance.now() - t0);
    }
  }

  /**
   * Invokes a capability that must fail with an EPOSError of one of `types`. Answers the error;
   * a result, an error of another type or an error not in the EPOSError shape fail the step.
   */
  async expectError(capability: CapabilityName, params: Record<string, unknown>, types: EposErrorType[], requestor?: RequestorHeaders): Promise<EPOSError> {
    const want = types.map((t) => JSON.stringify(t)).join(' or ');
    let result: unknown;
    try {
      result = await this.call(capability, params, requestor);
    } catch (err) {
      if (!(err instanceof CallFailure)) throw err;
      const e = err.eposError;
      if (e) {
        if (!types.includes(e.errorType)) {
          // The EPOS's own words often say why (wrong credentials, a crash): shown beside the expectation.
          throw new CheckFailure(`${capability} answered ${e.errorType} where ${want} was expected${eposSaid(e)}`, [
            { path: '$.errorType', message: 'is not the error type expected', expected: types.length === 1 ? types[0] : types, actual: e.errorType },
          ]);
        }
        return e;
      }
      if (err.error.code === 'EPOS_BAD_RESPONSE') {
        throw new CheckFailure(`${capability} answered an error that does not use the EPOSError shape`, [
          { path: '$', message: err.error.message, expected: `an EPOSError with errorType ${want}` },
        ]);
      }
      throw err;
    }
    throw new CheckFailure(`${capability} answered a result where an EPOSError ${want} was expected`, [
      { path: '$', message: 'is a result, not an error', expected: `an EPOSError with errorType ${want}`, actual: result },
    ]);
  }
}

/** `; the EPOS said: "…"` with its debugMessage clipped, or nothing when it sent none. */
function eposSaid(e: EPOSError): string {
  return e.debugMessage ? `; the EPOS said: ${JSON.stringify(clip(e.debugMessage, EPOS_SAID_CHARS))}` : '';
}

/** One run of one flow: what flow modules see. */
export class FlowRun {
  readonly steps: StepRecord[] = [];
  private readonly cleanups: Array<{ name: string; fn: (s: Step) => Promise<unknown> }> = [];
  status: FlowStatus = 'IN_PROGRESS';

  constructor(
    private readonly tester: FlowHost,
    readonly id: string,
    readonly def: FlowDef,
    readonly tenant: Tenant,
    readonly params: Record<string, ParamValue>,
    readonly signal: AbortSignal,
    private readonly persist: () => Promise<void>,
  ) {}

  /** A param as given or defaulted. */
  str(name: string): string | undefined {
    const v = this.params[name];
    return v === undefined || v === '' ? undefined : String(v);
  }

  int(name: string): number {
    return Number(this.params[name]);
  }

  /** True when the capability is registered for this tenant on some transport. */
  async has(capability: CapabilityName): Promise<boolean> {
    const on = await this.tester.registry.transportsFor(this.tenant, capability);
    return on.ws || on.rest;
  }

  /** Where the capability is registered (protocol flows need it on the WebSocket). */
  transportsOf(capability: CapabilityName): Promise<{ ws: boolean; rest: boolean }> {
    return this.tester.registry.transportsFor(this.tenant, capability);
  }

  /** What GET /epos/integrations/{transport} answers for this tenant. */
  integrations(transport: 'ws' | 'rest'): Promise<IntegrationView[]> {
    return this.tester.registry.list(this.tenant, transport);
  }

  /** The WebSocket hooks of protocol flows; undefined when the platform gave the tester none. */
  get wire(): TesterWire | undefined {
    return this.tester.wire;
  }

  /** The time each call may take: the tester's call timeout, or the platform's when none is set. */
  get callTimeoutMs(): number | undefined {
    return this.tester.callTimeoutMs;
  }

  invoke(capability: CapabilityName, params: Record<string, unknown>, requestor?: RequestorHeaders, timeoutMs = this.tester.callTimeoutMs): Promise<unknown> {
    return this.tester.dispatcher.invoke(this.tenant, capability, params, requestor ? { ...TESTER_REQUESTOR, ...requestor } : TESTER_REQUESTOR, {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      signal: this.signal, source: 'tester',
    });
  }

  /** Runs the flow: first the registration checks its definition's `requires` asks for, then its body. */
  async perform(): Promise<void> {
    await this.requireRegistered(this.def.requires);
    await this.def.run(this);
  }

  /**
   * The check steps every flow starts with, one per capability it requires: "Check whether GetOrder
   * has been registered". Stops the flow with the guide's two lines when it is not.
   */
  private async requireRegistered(capabilities: readonly CapabilityName[]): Promise<void> {
    for (const c of capabilities) {
      const short = shortName(c);
      await this.step(`Check whether ${short} has been registered`, async (s) => {
        const on = await this.tester.registry.transportsFor(this.tenant, c);
        if (!on.ws && !on.rest) {
          throw new CheckFailure(`${short} method not found`, [], [`Please register the ${short} method on an EPOS Data API adapter`]);
        }
        s.info(`${c} is registered on the ${[on.ws ? 'WebSocket' : '', on.rest ? 'REST' : ''].filter(Boolean).join(' and ')} adapter`);
      });
    }
  }

  /** Runs one step; a failure is recorded on it and stops the flow. */
  async step<T>(name: string, fn: (s: Step) => Promise<T>): Promise<T> {
    const outcome = await this.runStep(name, fn);
    if (outcome.status === 'FAILURE' || outcome.status === 'TIMED_OUT') throw new StopFlow(outcome.status);
    return outcome.value as T;
  }

  /**
   * Registers a step that undoes what the flow made (a lock, a party) and runs when the flow ends,
   * whatever happened. Returns a function that drops it once the flow undid it itself.
   */
  defer(name: string, fn: (s: Step) => Promise<unknown>): () => void {
    const entry = { name, fn };
    this.cleanups.push(entry);
    return () => {
      const i = this.cleanups.indexOf(entry);
      if (i >= 0) this.cleanups.splice(i, 1);
    };
  }

  async runCleanups(): Promise<FlowStatus> {
    let worst: FlowStatus = 'SUCCESS';
    while (this.cleanups.length) {
      const c = this.cleanups.pop()!;
      const out = await this.runStep(c.name, c.fn);
      if (out.status !== 'SUCCESS' && worst === 'SUCCESS') worst = out.status;
    }
    return worst;
  }

  private async runStep(name: string, fn: (s: Step) => Promise<unknown>): Promise<{ status: FlowStatus; value?: unknown }> {
    const record: StepRecord = { name, status: 'IN_PROGRESS', startedAt: this.tester.now().toISOString(), additionalInformation: [] };
    this.steps.push(record);
    await this.persist();
    const step = new Step(this, record);
    let value: unknown;
    try {
      value = await fn(step);
      record.status = 'SUCCESS';
    } catch (err) {
      const { status, lines, problems } = explain(err);
      record.status = status;
      record.additionalInformation.push(...lines);
      if (problems.length) record.problems = problems;
    }
    record.finishedAt = this.tester.now().toISOString();
    await this.persist();
    return { status: record.status, value };
  }
}

/** Turns whatever stopped a step into its status and the lines that say why. */
export function explain(err: unknown): { status: Exclude<FlowStatus, 'IN_PROGRESS'>; lines: string[]; problems: Problem[] } {
  if (err instanceof CheckFailure) {
    return { status: 'FAILURE', lines: [err.message, ...err.more, ...err.problems.map(describeProblem)], problems: err.problems };
  }
  if (err instanceof CallFailure) {
    const pe = err.error;
    const cap = err.capability;
    switch (pe.code) {
      case 'EPOS_TIMEOUT':
        return { status: 'TIMED_OUT', lines: [`${cap}: ${pe.message}`], problems: [] };
      case 'CONTRACT_VIOLATION': {
        const problems = (pe.details ?? []).map((d) => ({ path: d.path, message: d.message, expected: d.expected, actual: d.actual }));
        return { status: 'FAILURE', lines: [`${cap} answered with a result that breaks the contract`, ...problems.map(describeProblem)], problems };
      }
      case 'EPOS_ERROR': {
        const e = err.eposError;
        return { status: 'FAILURE', lines: [`${cap} answered ${e?.errorType ?? 'an error'}${e?.debugMessage ? `: ${e.debugMessage}` : ''}`], problems: [] };
      }
      case 'CALL_CANCELLED':
        return { status: 'FAILURE', lines: [`${cap}: ${pe.message}`], problems: [] };
      default:
        return { status: 'FAILURE', lines: [`${cap}: ${pe.message}`], problems: [] };
    }
  }
  if (err instanceof StopFlow) return { status: err.status, lines: [], problems: [] };
  const pe = asPlatformError(err);
  if (pe.code === 'EPOS_TIMEOUT') return { status: 'TIMED_OUT', lines: [pe.message], problems: [] };
  return { status: 'FAILURE', lines: [`the tester failed: ${pe.message}`], problems: [] };
}
