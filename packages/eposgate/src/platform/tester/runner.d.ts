import type { Logger } from 'pino';
import type { CapabilityName, ResultOf } from '@eposgate/contract';
import { type EPOSError, type EposErrorType } from '@eposgate/contract';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import { PlatformError } from '../errors.ts';
import type { IntegrationView, Registry } from '../registry/registry.ts';
import { type Caller, type Tenant } from '../tenant.ts';
import type { RequestorHeaders } from '../transports/transport.ts';
import { show } from './checks.ts';
import type { FlowStore } from '../store/store.ts';
import type { FlowDef, FlowDescription, FlowResult, FlowStatus, ParamValue, StepRecord } from './types.ts';
/** Who the EPOS sees asking, on every tester call. */
export declare const TESTER_REQUESTOR: RequestorHeaders;
/** What protocol flows reach past the dispatcher on a WebSocket EPOS (EposGateway implements it). */
export interface TesterWire {
    rawCall(tenant: Tenant, method: string, params: Record<string, unknown>, opts: {
        timeoutMs: number;
        signal?: AbortSignal;
    }): Promise<Record<string, unknown>>;
    restartSockets(tenant: Tenant, withinMs: number, signal?: AbortSignal): Promise<{
        closed: number;
        reconnectedAfterMs?: number;
    }>;
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
    now?: () => Date;
}
/**
 * The name a capability goes by in check steps and their messages: the registration name without
 * a trailing `ById`, as the guide's example does ("GetOrder" for GetOrderById). Names without that
 * suffix are kept as they are ("CreateOrderLock", "HandleEvent:payment_intent.created").
 */
export declare function shortName(capability: string): string;
/** A call to the EPOS that did not give a result. */
export declare class CallFailure extends Error {
    readonly capability: string;
    readonly error: PlatformError;
    constructor(capability: string, error: PlatformError);
    get eposError(): EPOSError | undefined;
}
/** What a step knows while it runs: the calls it makes and the checks it does are recorded on it. */
export declare class Step {
    private readonly run;
    readonly record: StepRecord;
    constructor(run: FlowRun, record: StepRecord);
    /** Adds lines to additionalInformation. */
    info(...lines: string[]): void;
    /**
     * Invokes a capability through the dispatcher and records the exchange. `requestor` adds to the
     * tester's headers (a second terminal: another deviceId); `opts.timeoutMs` bounds this call.
     */
    call<N extends CapabilityName>(capability: N, params: Record<string, unknown>, requestor?: RequestorHeaders, opts?: {
        timeoutMs?: number;
    }): Promise<ResultOf<N>>;
    /**
     * Invokes a capability that must fail with an EPOSError of one of `types`. Answers the error;
     * a result, an error of another type or an error not in the EPOSError shape fail the step.
     */
    expectError(capability: CapabilityName, params: Record<string, unknown>, types: EposErrorType[], requestor?: RequestorHeaders): Promise<EPOSError>;
}
/** One run of one flow: what flow modules see. */
export declare class FlowRun {
    private readonly tester;
    readonly id: string;
    readonly def: FlowDef;
    readonly tenant: Tenant;
    readonly params: Record<string, ParamValue>;
    readonly signal: AbortSignal;
    private readonly persist;
    readonly steps: StepRecord[];
    private readonly cleanups;
    status: FlowStatus;
    constructor(tester: Tester, id: string, def: FlowDef, tenant: Tenant, params: Record<string, ParamValue>, signal: AbortSignal, persist: () => Promise<void>);
    /** A param as given or defaulted. */
    str(name: string): string | undefined;
    int(name: string): number;
    /** True when the capability is registered for this tenant on some transport. */
    has(capability: CapabilityName): Promise<boolean>;
    /** Where the capability is registered (protocol flows need it on the WebSocket). */
    transportsOf(capability: CapabilityName): Promise<{
        ws: boolean;
        rest: boolean;
    }>;
    /** What GET /epos/integrations/{transport} answers for this tenant. */
    integrations(transport: 'ws' | 'rest'): Promise<IntegrationView[]>;
    /** The WebSocket hooks of protocol flows; undefined when the platform gave the tester none. */
    get wire(): TesterWire | undefined;
    /** The time each call may take: the tester's call timeout, or the platform's when none is set. */
    get callTimeoutMs(): number | undefined;
    invoke(capability: CapabilityName, params: Record<string, unknown>, requestor?: RequestorHeaders, timeoutMs?: number | undefined): Promise<unknown>;
    /**
     * The check step every flow starts with, one per capability it needs: "Check whether GetOrder
     * has been registered". Stops the flow with the guide's two lines when it is not.
     */
    requireCapabilities(...capabilities: CapabilityName[]): Promise<void>;
    /** Runs one step; a failure is recorded on it and stops the flow. */
    step<T>(name: string, fn: (s: Step) => Promise<T>): Promise<T>;
    /**
     * Registers a step that undoes what the flow made (a lock, a party) and runs when the flow ends,
     * whatever happened. Returns a function that drops it once the flow undid it itself.
     */
    defer(name: string, fn: (s: Step) => Promise<unknown>): () => void;
    runCleanups(): Promise<FlowStatus>;
    private runStep;
}
export declare class Tester {
    readonly flows: readonly FlowDef[];
    readonly dispatcher: Dispatcher;
    readonly registry: Registry;
    readonly callTimeoutMs?: number;
    readonly wire?: TesterWire;
    readonly now: () => Date;
    private readonly store;
    private readonly log;
    private readonly flowTimeoutMs;
    private readonly running;
    /** Flows started and not yet settled, per tenant: counted before the first await, so bursts cannot overshoot. */
    private readonly inProgress;
    private readonly flowsPerTenant;
    private closing;
    constructor(o: TesterOptions);
    /** GET /epos-tester-tool/flows */
    list(): FlowDescription[];
    /** POST /epos-tester-tool/flows: checks the request, stores the run, starts it; answers the flow id. */
    start(caller: Caller, body: unknown): Promise<string>;
    private execute;
    /** GET /epos-tester-tool/flows/{flowId}: only the caller's own flows. */
    get(tenant: Tenant, id: string): Promise<FlowResult | undefined>;
    /** Resolves once the flow has settled (tests, CLI in-process). */
    settled(id: string): Promise<void>;
    /**
     * On start: flows stored IN_PROGRESS were cut short by a stop. They become FAILURE, the step that
     * was running says so, and finishedAt is now.
     */
    recover(): Promise<number>;
    /** On stop: running flows are cancelled and stored as FAILURE saying the platform stopped. */
    close(): Promise<void>;
}
export { show };
