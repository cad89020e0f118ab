// Faults the reference EPOS can be told to commit, so that product teams (and the tester's own
// conformance suite) can watch their error handling work. A spec is
//   CAPABILITY:KIND[=ARG][@PROBABILITY|#NEXT_N]   several joined by ","
// e.g. `RecordOrderPaymentById:duplicates`, `CreateOrderLock:error=Conflict#1`, `*:delay=200@0.1`.
// error, delay, timeout, disconnect and contract wrap the EPOS's invoke (so they hit both
// transports the same way); duplicates and ignore-locks are asked for by the restaurant's own
// logic (payments.ts, events.ts) at the moment they would bite.
import { CAPABILITIES, EVENT_PREFIX, findCapability, type CapabilityDef } from '@eposgate/contract';
import { EPOS_ERROR_TYPES, type EposErrorType } from '@eposgate/contract';
import { validateResult } from '@eposgate/contract';
import type { CallInfo, Epos, Outcome } from '@eposgate/sdk';

export const FAULT_KINDS = ['error', 'delay', 'timeout', 'disconnect', 'contract', 'duplicates', 'ignore-locks'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds the restaurant's logic asks for (Restaurant.fault), not the invoke wrapper. */
const LOGIC_KINDS: readonly FaultKind[] = ['duplicates', 'ignore-locks'];
/** Capabilities whose logic has a hook for each logic kind. */
const LOGIC_TARGETS: Record<string, (cap: string) => boolean> = {
  duplicates: (c) => c === 'RecordOrderPaymentById' || c === 'HandleEvent' || c.startsWith(EVENT_PREFIX),
  'ignore-locks': (c) => c === 'RecordOrderPaymentById',
};
/** The longest delay a spec may ask for: beyond it, use timeout. */
export const MAX_FAULT_DELAY_MS = 600_000;

export interface Fault {
  /** A registration name, `HandleEvent` (every event type) or `*`. */
  capability: string;
  kind: FaultKind;
  errorType?: EposErrorType;
  delayMs?: number;
  /** Applies to each call with this probability (0 < p ≤ 1)… */
  probability?: number;
  /** …or to this many more calls, then is gone. Neither: every call. */
  remaining?: number;
}

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

function capabilityOf(part: string, raw: string): string {
  if (raw === '*' || raw === 'HandleEvent') return raw;
  const def = findCapability(raw);
  if (def) return def.name;
  const near = CAPABILITIES.map((c) => c.name).filter((n) => n.toLowerCase() === raw.toLowerCase());
  throw new FaultSpecError(
    `fault "${part}": "${raw}" is not a capability${near.length ? ` (did you mean ${near[0]}?)` : ''}; use a registration name such as GetOrderById or HandleEvent:payment_intent.created, HandleEvent, or *`,
  );
}

/** Parses one spec `CAPABILITY:KIND[=ARG][@P|#N]`. */
export function parseFault(part: string): Fault {
  const text = part.trim();
  if (text === '') throw new FaultSpecError('empty fault: expected CAPABILITY:KIND[=ARG][@PROBABILITY|#NEXT_N]');
  const colon = text.lastIndexOf(':');
  if (colon <= 0) throw new FaultSpecError(`fault "${text}": expected CAPABILITY:KIND, e.g. GetOrderById:timeout`);
  const capability = capabilityOf(text, text.slice(0, colon));
  let rest = text.slice(colon + 1);

  const fault: Fault = { capability, kind: 'error' };
  const at = rest.search(/[@#]/);
  if (at >= 0) {
    const how = rest.slice(at);
    rest = rest.slice(0, at);
    if (how.startsWith('@')) {
      const p = Number(how.slice(1));
      if (!/^@(0|1)?(\.\d+)?$/.test(how) || how === '@' || !(p > 0 && p <= 1)) {
        throw new FaultSpecError(`fault "${text}": probability "${how.slice(1)}" must be a number above 0 and at most 1, e.g. @0.3`);
      }
      fault.probability = p;
    } else {
      if (!/^#[1-9]\d{0,8}$/.test(how)) throw new FaultSpecError(`fault "${text}": "${how}" must be # and a whole number of calls of at least 1, e.g. #2`);
      fault.remaining = Number(how.slice(1));
    }
  }

  const eq = rest.indexOf('=');
  const kind = eq >= 0 ? rest.slice(0, eq) : rest;
  const arg = eq >= 0 ? rest.slice(eq + 1) : undefined;
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new FaultSpecError(`fault "${text}": "${kind}" is not a fault kind; use one of ${FAULT_KINDS.join(', ')}`);
  }
  fault.kind = kind as FaultKind;
  if (kind === 'error') {
    if (!arg || !(EPOS_ERROR_TYPES as readonly string[]).includes(arg)) {
      throw new FaultSpecError(`fault "${text}": error needs an errorType, error=${EPOS_ERROR_TYPES.join('|')}${arg ? ` (not "${arg}")` : ''}`);
    }
    fault.errorType = arg as EposErrorType;
  } else if (kind === 'delay') {
    if (!arg || !/^\d+$/.test(arg) || Number(arg) > MAX_FAULT_DELAY_MS) {
      throw new FaultSpecError(`fault "${text}": delay needs milliseconds from 0 to ${MAX_FAULT_DELAY_MS}, e.g. delay=200${arg ? ` (not "${arg}")` : ''}`);
    }
    fault.delayMs = Number(arg);
  } else if (arg !== undefined) {
    throw new FaultSpecError(`fault "${text}": ${kind} takes no value (remove "=${arg}")`);
  }
  const target = LOGIC_TARGETS[kind];
  if (target && capability !== '*' && !target(capability)) {
    throw new FaultSpecError(
      `fault "${text}": ${kind} applies to ${kind === 'duplicates' ? 'RecordOrderPaymentById and HandleEvent' : 'RecordOrderPaymentById'} (or *), not ${capability}`,
    );
  }
  return fault;
}

/** Parses a whole spec, `A,B,…`; an empty spec is no fault. */
export function parseFaults(spec: string): Fault[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((p) => parseFault(p));
}

/** The spec text of a fault (with what is left of #N). */
export function formatFault(f: Fault): string {
  const arg = f.kind === 'error' ? `=${f.errorType}` : f.kind === 'delay' ? `=${f.delayMs}` : '';
  const how = f.probability !== undefined ? `@${f.probability}` : f.remaining !== undefined ? `#${f.remaining}` : '';
  return `${f.capability}:${f.kind}${arg}${how}`;
}

function matches(f: Fault, capability: string): boolean {
  return f.capability === '*' || f.capability === capability || (f.capability === 'HandleEvent' && capability.startsWith(EVENT_PREFIX));
}

/** Wrong on purpose: a copy of `result` that `def`'s result schema refuses. */
export function breakResult(def: CapabilityDef, result: unknown): unknown {
  const refused = (v: unknown) => (validateResult(def, v)?.length ?? 0) > 0;
  if (result && typeof result === 'object' && !Array.isArray(result)) {
    const obj = result as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const { [k]: _gone, ...without } = obj;
      if (refused(without)) return without; // a required field removed
    }
    for (const k of Object.keys(obj)) {
      for (const wrong of [typeof obj[k] === 'string' ? 42 : 'eposgate-fault:contract', null]) {
        const changed = { ...obj, [k]: wrong };
        if (refused(changed)) return changed; // a field of the wrong type
      }
    }
  }
  for (const wrong of ['eposgate-fault:contract', 42]) if (refused(wrong)) return wrong;
  return 'eposgate-fault:contract';
}

export interface FaultInjectorOptions {
  /** Source of randomness for @PROBABILITY (tests pass a fixed one). */
  random?: () => number;
}

/** Holds the faults in force and commits them. */
export class FaultInjector {
  #faults: Fault[] = [];
  readonly #random: () => number;
  /** Calls held by timeout/delay/disconnect, answered at once by release(). */
  readonly #held = new Set<() => void>();

  constructor(faults: Fault[] | string = [], opts: FaultInjectorOptions = {}) {
    this.#random = opts.random ?? Math.random;
    this.set(faults);
  }

  /** Replaces every fault. */
  set(faults: Fault[] | string): void {
    this.#faults = (typeof faults === 'string' ? parseFaults(faults) : faults).map((f) => ({ ...f }));
  }

  clear(): void {
    this.#faults = [];
  }

  /** The faults in force, as parsed (a #N fault shows what is left of N). */
  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  get spec(): string {
    return this.#faults.map(formatFault).join(',');
  }

  /** Decides whether `f` applies to this call, counting it against #N. */
  #applies(f: Fault): boolean {
    if (f.probability !== undefined) return this.#random() < f.probability;
    if (f.remaining !== undefined) {
      f.remaining--;
      if (f.remaining <= 0) this.#faults = this.#faults.filter((x) => x !== f);
    }
    return true;
  }

  /**
   * For the restaurant's logic, at the moment a logic fault would bite (a repeat, a lock that
   * refuses): true when `kind` is in force for `capability` and applies this time.
   */
  take(capability: string, kind: FaultKind): boolean {
    const f = this.#faults.find((x) => x.kind === kind && matches(x, capability));
    return f ? this.#applies(f) : false;
  }

  /** The faults of the invoke wrapper that apply to one call of `capability`. */
  #forCall(capability: string): Fault[] {
    return this.#faults.filter((f) => !LOGIC_KINDS.includes(f.kind) && matches(f, capability)).filter((f) => this.#applies(f));
  }

  #hold(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.#held.delete(done);
        resolve();
      };
      this.#held.add(done);
      if (ms !== undefined) timer = setTimeout(done, ms);
    });
  }

  /** Lets every held call go (a timed-out call answers UnexpectedError): for shutting down. */
  release(): void {
    for (const done of [...this.#held]) done();
  }

  /** `epos` with these faults committed on every call, whichever transport brings it. */
  wrap(epos: Epos): Epos {
    const invoke = async (name: string, params: unknown, call: CallInfo = {}): Promise<Outcome> => {
      const def = findCapability(name);
      const hits = def ? this.#forCall(def.name) : [];
      if (hits.length === 0) return epos.invoke(name, params, call);
      const injected = (f: Fault, what: string): Outcome => ({
        ok: false,
        error: { errorType: f.errorType ?? 'UnexpectedError', debugMessage: `injected fault ${formatFault(f)}: ${what}`, ...(call.traceId ? { traceId: call.traceId } : {}) },
      });
      const delay = hits.reduce((ms, f) => ms + (f.kind === 'delay' ? f.delayMs ?? 0 : 0), 0);
      if (delay > 0) await this.#hold(delay);
      const last = hits.find((f) => f.kind !== 'delay');
      switch (last?.kind) {
        case 'timeout':
          await this.#hold();
          return injected(last, 'the call was never answered');
        case 'disconnect':
          // Drop the line with the call in flight: the platform sees a connection lost mid-call.
          call.drop?.();
          return injected(last, 'the connection was dropped mid-call');
        case 'error':
          return injected(last, `answered ${last.errorType} instead of handling ${def!.name}`);
        case 'contract': {
          const out = await epos.invoke(name, params, call);
          if (!out.ok) return { ok: false, error: { ...out.error, errorType: 'eposgate-fault:contract' as EposErrorType } };
          return { ok: true, result: breakResult(def!, out.result) };
        }
        default:
          return epos.invoke(name, params, call);
      }
    };
    return { capabilities: epos.capabilities, implements: (n) => epos.implements(n), invoke };
  }
}
