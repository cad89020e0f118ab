// The tester's runner: starts flows in the background for one tenant, records every step as it
// starts and ends (so a poll sees IN_PROGRESS), and settles each run as SUCCESS, FAILURE or
// TIMED_OUT. Flows reach the EPOS only through dispatcher.invoke(), the path products use.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CapabilityName, ResultOf } from '@eposgate/contract';
import { isEposError, type EPOSError, type EposErrorType } from '@eposgate/contract';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import { PlatformError, isPlatformError } from '../errors.ts';
import type { IntegrationView, Registry } from '../registry/registry.ts';
import { tenantKey, type Caller, type Tenant } from '../tenant.ts';
import { DEFAULT_LIMITS, clip } from '../limits.ts';
import { EPOS_SAID_CHARS } from './report.ts';
import type { RequestorHeaders } from '../transports/transport.ts';
import { CheckFailure, describeProblem, show } from './checks.ts';
import { FLOWS } from './flows/index.ts';
import { describeFlow, parseStart } from './params.ts';
import type { FlowOwnerFilter, FlowStore } from '../store/store.ts';
import type { Exchange, FlowDef, FlowDescription, FlowResult, FlowStatus, ParamValue, Problem, StepRecord, StoredFlow } from './types.ts';

/** Who the EPOS sees asking, on every tester call. */
export const TESTER_REQUESTOR: RequestorHeaders = { dojoRequestingProduct: 'EPOS Tester' };

/** What protocol flows reach past the dispatcher on a WebSocket EPOS (EposGateway implements it). */
export interface TesterWire {
  rawCall(tenant: Tenant, method: string, params: Record<string, unknown>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Record<string, unknown>>;
  restartSockets(tenant: Tenant, withinMs: number, signal?: AbortSignal): Promise<{ closed: number; reconnectedAfterMs?: number }>;
}

export interface TesterOptions {
  store: FlowStore;
  dispatcher: Dispatcher;
  registry: Registry;
  logger: Logger;
  flows?: readonly FlowDef[];
  /** Time the EPOS has to answer each call of a flow (default: the platform's call timeout). */
  callTimeoutMs?: number;
  /** Time a whole flow may take before it is TIMED_OUT (default 5 min). */
  flowTimeoutMs?: number;
  /** Flows IN_PROGRESS at once per tenant (limits.flowsPerTenant); past it POST /flows is 429 TOO_MANY_FLOWS. */
  flowsPerTenant?: number;
  /** Raw JSON-RPC calls and a 1012 restart on the tenant's socket, for the protocol flows. */
  wire?: TesterWire;
  /** This node's id, stored with each run so that another node knows whose flow it is (cluster mode). */
  node?: string;
  now?: () => Date;
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
class StopFlow extends Error {
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
    private readonly tester: Tester,
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
      signal: this.signal,
    });
  }

  /**
   * The check step every flow starts with, one per capability it needs: "Check whether GetOrder
   * has been registered". Stops the flow with the guide's two lines when it is not.
   */
  async requireCapabilities(...capabilities: CapabilityName[]): Promise<void> {
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
function explain(err: unknown): { status: Exclude<FlowStatus, 'IN_PROGRESS'>; lines: string[]; problems: Problem[] } {
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

const RESTART_NOTE = 'the platform stopped while this flow was running; the flow did not finish';

export class Tester {
  readonly flows: readonly FlowDef[];
  readonly dispatcher: Dispatcher;
  readonly registry: Registry;
  readonly callTimeoutMs?: number;
  readonly wire?: TesterWire;
  readonly now: () => Date;
  private readonly store: FlowStore;
  private readonly log: Logger;
  private readonly flowTimeoutMs: number;
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /** Flows started and not yet settled, per tenant: counted before the first await, so bursts cannot overshoot. */
  private readonly inProgress = new Map<string, number>();
  private readonly flowsPerTenant: number;
  private readonly node?: string;
  private closing = false;

  constructor(o: TesterOptions) {
    this.flows = o.flows ?? FLOWS;
    this.store = o.store;
    this.dispatcher = o.dispatcher;
    this.registry = o.registry;
    this.log = o.logger;
    if (o.callTimeoutMs !== undefined) this.callTimeoutMs = o.callTimeoutMs;
    if (o.wire) this.wire = o.wire;
    this.flowTimeoutMs = o.flowTimeoutMs ?? 5 * 60_000;
    this.flowsPerTenant = o.flowsPerTenant ?? DEFAULT_LIMITS.flowsPerTenant;
    this.now = o.now ?? (() => new Date());
    if (o.node !== undefined) this.node = o.node;
  }

  /** GET /epos-tester-tool/flows */
  list(): FlowDescription[] {
    return this.flows.map(describeFlow);
  }

  /** POST /epos-tester-tool/flows: checks the request, stores the run, starts it; answers the flow id. */
  async start(caller: Caller, body: unknown): Promise<string> {
    if (this.closing) throw new PlatformError('EPOS_NOT_CONNECTED', 'the platform is stopping; start the flow again once it is back');
    const { def, params } = parseStart(this.flows, body);
    // The one place the flag is enforced: each flow definition says whether it changes data.
    if (def.changesData && caller.env === 'production') {
      throw new PlatformError('FORBIDDEN_IN_PRODUCTION',
        `flow "${def.name}" changes data on the EPOS (it creates, pays, cancels or locks); run it with a sandbox key`);
    }
    const tenant: Tenant = { accountId: caller.accountId, env: caller.env };
    const slot = tenantKey(tenant);
    const busy = this.inProgress.get(slot) ?? 0;
    if (busy >= this.flowsPerTenant) {
      throw new PlatformError('TOO_MANY_FLOWS',
        `this account already has ${busy} flows in progress (limits.flowsPerTenant = ${this.flowsPerTenant}); start another when one has finished`);
    }
    this.inProgress.set(slot, busy + 1);
    const release = (): void => {
      const n = (this.inProgress.get(slot) ?? 1) - 1;
      if (n > 0) this.inProgress.set(slot, n);
      else this.inProgress.delete(slot);
    };
    const id = randomUUID();
    const stored: StoredFlow = {
      flowID: id, flowName: def.flowName, status: 'IN_PROGRESS', startedAt: this.now().toISOString(), steps: [],
      tenant, flow: def.name, params, ...(this.node !== undefined ? { node: this.node } : {}),
    };
    try {
      await this.store.insert(stored);
    } catch (err) {
      release();
      throw err;
    }
    const abort = new AbortController();
    const run: FlowRun = new FlowRun(this, id, def, tenant, params, abort.signal, (): Promise<void> =>
      this.store.update(id, { status: run.status, steps: run.steps }));
    // Nothing may reject unheard: a flow that fails in an unexpected way is logged, and its run
    // stays as stored (recover() settles it on the next start).
    const done = this.execute(run, abort)
      .catch((err) => this.log.error({ err, flow: def.name }, 'unexpected error finishing a tester flow'))
      .finally(() => {
        this.running.delete(id);
        release();
      });
    this.running.set(id, { abort, done });
    return id;
  }

  private async execute(run: FlowRun, abort: AbortController): Promise<void> {
    const deadline = setTimeout(() => abort.abort(new PlatformError('EPOS_TIMEOUT',
      `the flow did not finish within ${Math.round(this.flowTimeoutMs / 1000)} s`)), this.flowTimeoutMs);
    deadline.unref();
    let status: FlowStatus = 'SUCCESS';
    try {
      await run.def.run(run);
    } catch (err) {
      status = err instanceof StopFlow ? err.status : 'FAILURE';
      if (!(err instanceof StopFlow)) {
        this.log.error({ err, flow: run.def.name }, 'tester flow crashed');
        const { lines } = explain(err);
        run.steps.push({ name: 'Run the flow', status: 'FAILURE', startedAt: this.now().toISOString(), finishedAt: this.now().toISOString(), additionalInformation: lines });
      }
    } finally {
      clearTimeout(deadline);
    }
    try {
      const cleanup = await run.runCleanups();
      if (status === 'SUCCESS') status = cleanup;
    } catch (err) {
      this.log.error({ err }, 'tester cleanup crashed');
    }
    run.status = status;
    try {
      await this.store.update(run.id, { status, steps: run.steps, finishedAt: this.now().toISOString() });
    } catch (err) {
      this.log.error({ err, flowId: run.id }, 'could not store the flow result');
    }
  }

  /** GET /epos-tester-tool/flows/{flowId}: only the caller's own flows. */
  async get(tenant: Tenant, id: string): Promise<FlowResult | undefined> {
    const f = await this.store.get(tenant, id);
    if (!f) return undefined;
    const { tenant: _t, flow: _f, params: _p, node: _n, ...result } = f;
    return result;
  }

  /** Resolves once the flow has settled (tests, CLI in-process). */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  /**
   * On start: flows stored IN_PROGRESS were cut short by a stop. They become FAILURE, the step that
   * was running says so, and finishedAt is now. `owner` narrows which runs are known dead (in a
   * cluster: this node's own from before its restart, or those of nodes that are gone).
   */
  async recover(owner?: FlowOwnerFilter): Promise<number> {
    const at = this.now().toISOString();
    const stale = await this.store.inProgress(owner);
    for (const f of stale) {
      const steps = f.steps.map((s) => s.status === 'IN_PROGRESS'
        ? { ...s, status: 'FAILURE' as const, finishedAt: at, additionalInformation: [...s.additionalInformation, `${RESTART_NOTE} (noticed at restart, ${at})`] }
        : s);
      if (!f.steps.some((s) => s.status === 'IN_PROGRESS')) {
        steps.push({ name: 'Finish the flow', status: 'FAILURE', startedAt: at, finishedAt: at, additionalInformation: [`${RESTART_NOTE} (noticed at restart, ${at})`] });
      }
      await this.store.update(f.flowID, { status: 'FAILURE', steps, finishedAt: at });
    }
    return stale.length;
  }

  /** On stop: running flows are cancelled and stored as FAILURE saying the platform stopped. */
  async close(): Promise<void> {
    this.closing = true;
    const runs = [...this.running.values()];
    for (const r of runs) r.abort.abort(new PlatformError('CALL_CANCELLED', RESTART_NOTE));
    await Promise.allSettled(runs.map((r) => r.done));
  }
}

export { show };
