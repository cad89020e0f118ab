// The tester's runner: starts flows in the background for one tenant, records every step as it
// starts and ends (so a poll sees IN_PROGRESS), and settles each run as SUCCESS, FAILURE or
// TIMED_OUT. What a flow sees while it runs (FlowRun, Step) is in flow.ts.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import { PlatformError, platformStopping } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import { tenantKey, type Caller, type Tenant } from '../tenant.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { show } from './checks.ts';
import { FlowRun, StopFlow, explain, type FlowDef, type TesterWire } from './flow.ts';
import { FLOWS } from './flows/index.ts';
import { describeFlow, parseStart, type StartFlow } from './params.ts';
import type { FlowOwnerFilter, FlowStore } from '../store/store.ts';
import type { FlowDescription, FlowResult, FlowStatus, StoredFlow } from './types.ts';

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
  async start(caller: Caller, body: StartFlow): Promise<string> {
    if (this.closing) throw platformStopping('the platform is stopping; start the flow again once it is back');
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
      await run.perform();
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
  async recover(owner?: FlowOwnerFilter, why: (f: StoredFlow, at: string) => string = (_f, at) => `${RESTART_NOTE} (noticed at restart, ${at})`): Promise<number> {
    const at = this.now().toISOString();
    const stale = await this.store.inProgress(owner);
    for (const f of stale) {
      const note = why(f, at);
      const steps = f.steps.map((s) => s.status === 'IN_PROGRESS'
        ? { ...s, status: 'FAILURE' as const, finishedAt: at, additionalInformation: [...s.additionalInformation, note] }
        : s);
      if (!f.steps.some((s) => s.status === 'IN_PROGRESS')) {
        steps.push({ name: 'Finish the flow', status: 'FAILURE', startedAt: at, finishedAt: at, additionalInformation: [note] });
      }
      await this.store.update(f.flowID, { status: 'FAILURE', steps, finishedAt: at });
    }
    return stale.length;
  }

  /**
   * On stop (the start of a drain): running flows are cancelled and stored as FAILURE saying the
   * platform stopped. A flow is many calls over seconds to minutes and its EPOS is about to move to
   * another node, so it is not waited for as a single call is.
   */
  async close(): Promise<void> {
    this.closing = true;
    const runs = [...this.running.values()];
    for (const r of runs) r.abort.abort(platformStopping(RESTART_NOTE));
    await Promise.allSettled(runs.map((r) => r.done));
  }
}

export { show };
