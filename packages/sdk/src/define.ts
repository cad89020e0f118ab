// defineEpos: the vendor's handlers plus the rules every call goes through, whichever transport
// brought it: find the handler, check params, run, check the result, turn failures into EPOSError.
import { randomUUID } from 'node:crypto';
import { CAPABILITIES, findCapability, ValidatorWarmup, type CapabilityDef } from '@eposgate/contract';
import type { EPOSError } from '@eposgate/contract';
import { EposError } from './errors.ts';
import { checkParams, checkResult, describeIssues, type FieldIssue } from './check.ts';
import type { HandlerContext, HandlerName, Handlers, RequestorHeaders } from './types.ts';

/** A contract mistake found by the SDK: the vendor's result, or the caller's params. */
export interface ContractErrorReport {
  capability: string;
  /** `result`: your handler returned something the contract does not allow (your bug). `params`: the caller sent bad params. */
  direction: 'params' | 'result';
  issues: FieldIssue[];
  traceId: string;
  /** Human-readable summary, one line per issue. */
  message: string;
}

export interface EposOptions {
  /** Check params and results against the contract (default true). */
  validate?: boolean;
  /** Called for every contract mistake; default logs result mistakes with console.error. */
  onContractError?: (report: ContractErrorReport) => void;
  /** Called when a handler throws anything but an EposError; default console.error. Nothing of it reaches the caller. */
  onHandlerError?: (err: unknown, info: { capability: string; traceId: string }) => void;
}

export interface CallInfo {
  headers?: RequestorHeaders;
  transport?: HandlerContext['transport'];
  traceId?: string;
  /** Drops the connection the call came on, mid-call (the reference EPOS's `disconnect` fault). */
  drop?: () => void;
}

export type Outcome = { ok: true; result: unknown } | { ok: false; error: EPOSError };

export interface Epos {
  /** The catalogue rows this EPOS implements, in catalogue order. */
  readonly capabilities: readonly CapabilityDef[];
  /** True if a handler exists for this registration name (or legacy alias). */
  implements(name: string): boolean;
  /** Runs one call through the contract rules; never throws. */
  invoke(name: string, params: unknown, call?: CallInfo): Promise<Outcome>;
  /**
   * Compiles the contract checks of every capability implemented, in the background (one per
   * macrotask), so the first call of each does not wait for it; resolves once they are.
   * connect() and restHandler() call it.
   */
  prepare?(): Promise<void>;
}

function defaultContractError(r: ContractErrorReport): void {
  if (r.direction === 'result') {
    console.error(`[eposgate/sdk] ${r.capability} returned a result that breaks the contract (traceId ${r.traceId}):\n${r.message}`);
  }
}

function defaultHandlerError(err: unknown, info: { capability: string; traceId: string }): void {
  console.error(`[eposgate/sdk] ${info.capability} handler failed (traceId ${info.traceId}):`, err);
}

export function defineEpos(handlers: Handlers, options: EposOptions = {}): Epos {
  const known = new Set<string>(CAPABILITIES.map((c) => c.name));
  for (const key of Object.keys(handlers)) {
    if (!known.has(key)) {
      const alias = findCapability(key);
      const hint = alias ? ` (legacy name; use ${alias.name})` : '';
      throw new TypeError(`defineEpos: ${JSON.stringify(key)} is not a capability${hint}`);
    }
    if (typeof (handlers as Record<string, unknown>)[key] !== 'function') {
      throw new TypeError(`defineEpos: handler for ${key} is not a function`);
    }
  }
  const validate = options.validate ?? true;
  const onContractError = options.onContractError ?? defaultContractError;
  const onHandlerError = options.onHandlerError ?? defaultHandlerError;
  const capabilities = CAPABILITIES.filter((c) => typeof (handlers as Record<string, unknown>)[c.name] === 'function');

  const report = (r: Omit<ContractErrorReport, 'message'>): void => {
    try {
      onContractError({ ...r, message: describeIssues(r.issues) });
    } catch {
      // a failing reporter must not change the answer
    }
  };

  async function invoke(name: string, params: unknown, call: CallInfo = {}): Promise<Outcome> {
    const traceId = call.traceId ?? randomUUID();
    const fail = (errorType: EPOSError['errorType'], debugMessage: string): Outcome => ({
      ok: false,
      error: { errorType, debugMessage, traceId },
    });
    const def = findCapability(name);
    const handler = def ? (handlers as Record<string, Function | undefined>)[def.name] : undefined;
    if (!def || !handler) return fail('InvalidRequest', `capability ${name} is not implemented by this EPOS`);

    if (validate) {
      const issues = checkParams(def, params);
      if (issues && issues.length > 0) {
        report({ capability: def.name, direction: 'params', issues, traceId });
        return fail('InvalidRequest', `invalid params for ${def.name}:\n${describeIssues(issues)}`);
      }
    }

    const ctx: HandlerContext = {
      capability: def.name as HandlerName,
      def,
      headers: call.headers ?? {},
      transport: call.transport ?? 'direct',
      traceId,
    };
    let result: unknown;
    try {
      result = await handler(params, ctx);
    } catch (err) {
      if (err instanceof EposError) {
        return { ok: false, error: { errorType: err.errorType, debugMessage: err.message, traceId: err.traceId ?? traceId } };
      }
      try {
        onHandlerError(err, { capability: def.name, traceId });
      } catch {
        // ignore
      }
      return fail('UnexpectedError', `the EPOS failed to handle ${def.name}; quote traceId ${traceId} to the EPOS vendor`);
    }
    if (result === undefined) result = {};

    if (validate) {
      const issues = checkResult(def, result);
      if (issues && issues.length > 0) {
        report({ capability: def.name, direction: 'result', issues, traceId });
        return fail('UnexpectedError', `the EPOS produced an invalid ${def.name} result (first problem at ${issues[0].path}); quote traceId ${traceId} to the EPOS vendor`);
      }
    }
    return { ok: true, result };
  }

  const warmup = new ValidatorWarmup({ params: validate, result: validate });
  return {
    capabilities,
    prepare: () => {
      warmup.prepare(capabilities.map((c) => c.name));
      return warmup.idle();
    },
    implements: (name) => {
      const def = findCapability(name);
      return !!def && capabilities.includes(def);
    },
    invoke,
  };
}
