// JSON-RPC protocol conformance of a WebSocket EPOS: calls in flight matched by id, an answer to an
// unknown method, the error object's shape, answers in time under load, and a reconnect after the
// platform closes the socket with 1012. Raw calls (TesterWire) go past the dispatcher, so the
// flows see the frame exactly as the EPOS sent it and can send what the platform would refuse.
import { randomUUID } from 'node:crypto';
import { getMaxListeners, setMaxListeners } from 'node:events';
import { capability } from '@eposgate/contract';
import { EPOS_ERROR_TYPES, type EposErrorType } from '@eposgate/contract';
import { JSONRPC_VERSION, RPC_METHOD_NOT_FOUND } from '@eposgate/contract';
import { isPlatformError } from '../../errors.ts';
import { Checker, CheckFailure, fail, show } from '../checks.ts';
import { CallFailure, TESTER_REQUESTOR, type FlowRun, type Step, type TesterWire } from '../flow.ts';
import type { Exchange, FlowDef, ParamDef } from '../types.ts';
import { P, isoIn, orderToWorkOn } from './common.ts';

const FAMILY = 'JSON-RPC protocol';
const WS_ONLY = ['ws'] as const;
/** A method no EPOS serves: the unknown-method check sends it. */
export const UNKNOWN_METHOD = 'EposgateTesterNoSuchMethodV1';
const MISSING_ORDER = 'eposgate-tester-no-such-order';

const ANSWER_WITHIN: ParamDef = {
  name: 'answerWithinMs', type: 'integer', required: false, default: 2000,
  description: 'how long the EPOS has to answer each call of the check, in ms (a healthy EPOS answers in far less; the tester\'s call timeout when shorter)',
};

/** The bound on each call: answerWithinMs, or the tester's call timeout when that is shorter. */
function answerWithin(run: FlowRun): number {
  const own = run.int('answerWithinMs');
  return run.callTimeoutMs !== undefined ? Math.min(own, run.callTimeoutMs) : own;
}

/**
 * The first step of every protocol flow, once the runner has checked its `requires` are registered:
 * they are registered on the WebSocket, and a socket is open. A REST-only EPOS has no JSON-RPC to check.
 */
async function requireWebSocket(run: FlowRun): Promise<TesterWire> {
  const capabilities = run.def.requires;
  return run.step('Check the EPOS is connected over WebSocket', async (s) => {
    const wire = run.wire;
    if (!wire) fail('this platform offers the tester no access to the EPOS socket; protocol flows cannot run here');
    for (const c of capabilities) {
      const on = await run.transportsOf(c);
      if (!on.ws) fail(`${c} is registered on REST only: the JSON-RPC protocol flows check WebSocket EPOSes (not applicable over REST)`);
    }
    // A call that finds no socket is reported by the step that makes it; say now whether one is open.
    s.info(`${capabilities.join(', ')} registered on the WebSocket adapter`);
    return wire;
  });
}

/** The params of a flow that sends `calls` calls at once, each answered within answerWithinMs. */
function callsAtOnceParams(calls: number, description: string): ParamDef[] {
  return [{ name: 'calls', type: 'integer', required: false, default: calls, description }, ANSWER_WITHIN];
}

/** Such a flow's start: the EPOS must be on WebSocket; how many calls (at most `max`) and how long each may take. */
async function callsAtOnce(run: FlowRun, max: number): Promise<{ n: number; within: number }> {
  await requireWebSocket(run);
  return { n: Math.min(run.int('calls'), max), within: answerWithin(run) };
}

/** Params as the platform sends them on the wire: the request fields plus `headers`. */
function wireParams(params: Record<string, unknown>): Record<string, unknown> {
  return { ...params, headers: { dojoRequestingProduct: TESTER_REQUESTOR.dojoRequestingProduct } };
}

type RawOutcome = { frame: Record<string, unknown>; ms: number } | { silent: true; ms: number };

/**
 * Sends one raw JSON-RPC request on the tenant's socket and records the exchange on the step.
 * Answers the frame the EPOS sent, or `silent` when none came within `withinMs`; a socket that is
 * gone fails the step.
 */
async function rawCall(run: FlowRun, s: Step, wire: TesterWire, method: string, params: Record<string, unknown>, withinMs: number): Promise<RawOutcome> {
  const sent = wireParams(params);
  const ex: Exchange = { capability: method, params: sent, ms: 0 };
  (s.record.exchanges ??= []).push(ex);
  const t0 = performance.now();
  try {
    const frame = await wire.rawCall(run.tenant, method, sent, { timeoutMs: withinMs, signal: run.signal });
    ex.ms = Math.round(performance.now() - t0);
    ex.result = frame;
    return { frame, ms: ex.ms };
  } catch (err) {
    ex.ms = Math.round(performance.now() - t0);
    if (isPlatformError(err) && err.code === 'EPOS_TIMEOUT') {
      ex.error = { code: err.code, message: `no answer within ${withinMs} ms` };
      return { silent: true, ms: ex.ms };
    }
    if (isPlatformError(err)) {
      ex.error = { code: err.code, message: err.message };
      throw new CallFailure(method, err);
    }
    throw err;
  }
}

/** Problems with the JSON-RPC envelope of an answer: `"jsonrpc": "2.0"` and exactly one of result/error. */
function checkEnvelope(c: Checker, frame: Record<string, unknown>): void {
  c.equal('$.jsonrpc', JSONRPC_VERSION, frame.jsonrpc, 'every JSON-RPC 2.0 answer carries "jsonrpc": "2.0"');
  c.that(!('result' in frame && 'error' in frame), '$', 'an answer carries either "result" or "error", never both', 'one of result, error', Object.keys(frame));
}

/**
 * Checks the `error` member of an answer is an EPOSError `{errorType, debugMessage?, traceId?}`
 * (JSON-RPC's `code` and `message` may sit beside it) of the type `want`. Answers the errorType.
 */
function checkEposErrorObject(method: string, frame: Record<string, unknown>, want: EposErrorType, why: string): string {
  const c = new Checker();
  checkEnvelope(c, frame);
  if (!('error' in frame)) {
    c.that(false, '$.error', `${why}: the EPOS answered a result`, `an EPOSError with errorType "${want}"`, frame.result);
    c.assert(`${method} answered a result where the error ${want} was expected (${why})`);
  }
  const e = frame.error;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) {
    fail(`${method} answered an error that is not an object`, { path: '$.error', message: 'must be an object {errorType, debugMessage?, traceId?}', expected: 'object', actual: e });
  }
  const err = e as Record<string, unknown>;
  const type = err.errorType;
  c.that(typeof type === 'string' && (EPOS_ERROR_TYPES as readonly string[]).includes(type), '$.error.errorType',
    `must be one of ${EPOS_ERROR_TYPES.join(', ')}`, `one of ${EPOS_ERROR_TYPES.join(', ')}`, type);
  c.that(err.debugMessage === undefined || typeof err.debugMessage === 'string', '$.error.debugMessage', 'must be a string when present', 'string', err.debugMessage);
  c.that(err.traceId === undefined || typeof err.traceId === 'string', '$.error.traceId', 'must be a string when present', 'string', err.traceId);
  c.that(err.code === undefined || Number.isInteger(err.code), '$.error.code', 'the JSON-RPC code must be an integer when present', 'integer', err.code);
  c.that(err.message === undefined || typeof err.message === 'string', '$.error.message', 'the JSON-RPC message must be a string when present', 'string', err.message);
  c.assert(`${method} answered an error object that breaks the EPOSError shape {errorType, debugMessage?, traceId?}`);
  if (type !== want) {
    fail(`${method} answered ${String(type)} where ${want} was expected (${why})`, { path: '$.error.errorType', message: 'is not the error type expected', expected: want, actual: type });
  }
  return want;
}

function silentFailure(method: string, withinMs: number, what: string): never {
  throw new CheckFailure(`the EPOS did not answer ${method} within ${withinMs} ms: ${what}`, [
    { path: '$', message: 'no JSON-RPC answer with this id', expected: `an answer within ${withinMs} ms`, actual: undefined },
  ]);
}

/** Up to `n` order ids the EPOS lists (SearchOrders, first page of up to 100). */
async function someOrderIds(s: Step, n: number): Promise<string[]> {
  const page = await s.call('SearchOrders', { cursor: { limit: Math.min(100, Math.max(1, n)) } });
  return page.data.map((o) => o.id);
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;

interface Settled {
  i: number;
  orderId: string;
  ms: number;
  result?: { id: string };
  error?: unknown;
}

/**
 * `n` GetOrderById calls at once, each bounded by `withinMs`; answers each outcome in the order
 * the answers arrived.
 */
async function concurrentGets(run: FlowRun, s: Step, ids: string[], withinMs: number): Promise<Settled[]> {
  // Each call in flight listens on the flow's signal: that many listeners are expected, not a leak.
  setMaxListeners(Math.max(getMaxListeners(run.signal), 2 * ids.length + 10), run.signal);
  const arrived: Settled[] = [];
  await Promise.all(ids.map(async (orderId, i) => {
    const t0 = performance.now();
    try {
      const result = await s.call('GetOrderById', { orderId }, undefined, { timeoutMs: withinMs });
      arrived.push({ i, orderId, ms: performance.now() - t0, result });
    } catch (error) {
      arrived.push({ i, orderId, ms: performance.now() - t0, error });
    }
  }));
  return arrived;
}

/** One line per call that did not answer as it should, for a failure. */
function describeCallFailure(x: Settled, withinMs: number): string {
  const err = x.error;
  if (err instanceof CallFailure) {
    if (err.error.code === 'EPOS_TIMEOUT') return `call ${x.i + 1} (order ${x.orderId}): no answer within ${withinMs} ms`;
    const e = err.eposError;
    if (e) return `call ${x.i + 1} (order ${x.orderId}): answered ${e.errorType}${e.debugMessage ? `: ${e.debugMessage}` : ''}`;
    return `call ${x.i + 1} (order ${x.orderId}): ${err.error.code}: ${err.error.message}`;
  }
  return `call ${x.i + 1} (order ${x.orderId}): ${err instanceof Error ? err.message : String(err)}`;
}

export const callsInFlightFlow: FlowDef = {
  name: 'JSON-RPC Calls In Flight',
  flowName: 'JSON-RPC calls in flight matched by id',
  family: FAMILY,
  description: 'Sends GetOrderById for up to 20 different orders at once on the socket; the EPOS may answer in any order, but each answer must carry the id of its request, so each result must be the order asked for. Changes nothing.',
  changesData: false,
  requires: ['GetOrderById', 'SearchOrders'],
  transports: WS_ONLY,
  faults: ['GetOrderById:error=UnexpectedError#1', 'GetOrderById:contract#1'],
  params: callsAtOnceParams(20, 'calls in flight at once (orders are reused when the EPOS lists fewer)'),
  async run(run) {
    const { n, within } = await callsAtOnce(run, 100);
    const ids = await run.step(`Find ${n} orders to read (SearchOrders)`, async (s) => {
      const found = await someOrderIds(s, n);
      if (!found.length) fail('SearchOrders lists no orders: the flow needs at least two orders to read at once');
      s.info(`${found.length} orders listed${found.length < n ? '; each is asked for more than once' : ''}`);
      if (found.length === 1) s.info('only one order: answers swapped between calls cannot be told apart; add orders for a stronger check');
      return Array.from({ length: n }, (_, i) => found[i % found.length]!);
    });
    await run.step(`${n} GetOrderById calls in flight at once: each answer is the order asked for`, async (s) => {
      const arrived = await concurrentGets(run, s, ids, within);
      const failed = arrived.filter((x) => x.error !== undefined).sort((a, b) => a.i - b.i);
      if (failed.length) {
        throw new CheckFailure(`${failed.length} of ${n} GetOrderById calls in flight did not answer the order asked for`, [], failed.map((x) => describeCallFailure(x, within)));
      }
      // A swapped id shows as an order other than the one this request asked for.
      const c = new Checker();
      for (const x of [...arrived].sort((a, b) => a.i - b.i)) {
        c.equal(`call ${x.i + 1}: $.id`, x.orderId, x.result!.id, 'is not the order this request asked for (answers must carry the id of their own request)');
      }
      c.assert('answers to calls in flight were matched to the wrong requests: the EPOS answered with the id of another call');
      const order = arrived.map((x) => x.i);
      const outOfOrder = order.some((v, k) => k > 0 && v < order[k - 1]!);
      s.info(`${n} answers, each the order asked for; they arrived ${outOfOrder ? 'out of order (allowed: each matched by id)' : 'in the order sent'}`);
    });
  },
};

export const unknownMethodFlow: FlowDef = {
  name: 'JSON-RPC Unknown Method',
  flowName: 'JSON-RPC unknown method answered with an error',
  family: FAMILY,
  description: `Sends a request for a method no EPOS serves (${UNKNOWN_METHOD}); the EPOS must answer it with a JSON-RPC error (code -32601 Method not found), not stay silent, and keep serving the socket after it. Changes nothing.`,
  changesData: false,
  requires: ['GetOrderById'],
  transports: WS_ONLY,
  faults: ['GetOrderById:error=UnexpectedError', 'GetOrderById:disconnect#1'],
  params: [ANSWER_WITHIN],
  async run(run) {
    const wire = await requireWebSocket(run);
    const within = answerWithin(run);
    await run.step(`Call the unknown method ${UNKNOWN_METHOD}: expect a JSON-RPC error`, async (s) => {
      const out = await rawCall(run, s, wire, UNKNOWN_METHOD, {}, within);
      if ('silent' in out) {
        silentFailure(UNKNOWN_METHOD, within, `an EPOS must answer a method it does not serve with a JSON-RPC error (code ${RPC_METHOD_NOT_FOUND} Method not found), not stay silent`);
      }
      const f = out.frame;
      const c = new Checker();
      checkEnvelope(c, f);
      c.that(!('result' in f), '$.result', 'an unknown method must not answer a result', `an error (code ${RPC_METHOD_NOT_FOUND})`, f.result);
      const e = f.error as Record<string, unknown> | undefined;
      const isObj = typeof e === 'object' && e !== null && !Array.isArray(e);
      c.that('result' in f || isObj, '$.error', 'must be a JSON-RPC error object {code, message} (or an EPOSError)', 'object', e);
      if (isObj) {
        const rpc = Number.isInteger(e.code) && typeof e.message === 'string';
        const epos = typeof e.errorType === 'string' && (EPOS_ERROR_TYPES as readonly string[]).includes(e.errorType);
        c.that(rpc || epos, '$.error', 'must be a JSON-RPC error {code, message} or an EPOSError {errorType}', `{"code": ${RPC_METHOD_NOT_FOUND}, "message": "Method not found"}`, e);
      }
      c.assert(`the EPOS answered the unknown method ${UNKNOWN_METHOD} with something other than a JSON-RPC error`);
      const code = e?.code;
      s.info(code === RPC_METHOD_NOT_FOUND
        ? `answered error ${RPC_METHOD_NOT_FOUND} in ${out.ms} ms${typeof e?.message === 'string' ? `: ${e.message}` : ''}`
        : `answered an error in ${out.ms} ms (${show(e)}); code ${RPC_METHOD_NOT_FOUND} (Method not found) is the standard one`);
    });
    await run.step('The EPOS keeps serving after the unknown method (GetOrderById of an unknown order: NotFound)', async (s) => {
      const out = await rawCall(run, s, wire, capability('GetOrderById').wsMethod, { orderId: MISSING_ORDER }, within);
      if ('silent' in out) silentFailure('GetOrderById', within, 'the EPOS stopped answering after an unknown method');
      checkEposErrorObject('GetOrderById', out.frame, 'NotFound', `order ${MISSING_ORDER} does not exist`);
      s.info(`answered NotFound in ${out.ms} ms`);
    });
  },
};

export const errorShapeFlow: FlowDef = {
  name: 'JSON-RPC Error Shape',
  flowName: 'JSON-RPC error object shape and error types',
  family: FAMILY,
  description: 'Provokes the errors a correct EPOS answers and checks each JSON-RPC error object is an EPOSError {errorType, debugMessage?, traceId?}: NotFound (an unknown order), InvalidRequest (GetOrderById without orderId, sent raw past the platform\'s checks), Conflict (a second lock, when locking is registered). UnexpectedError cannot be provoked; its shape is checked wherever it is seen. Locks one order and releases it.',
  changesData: true,
  requires: ['GetOrderById'],
  uses: ['CreateOrderLock', 'DeleteOrderLock', 'CreateOrder', 'SearchOrders'],
  transports: WS_ONLY,
  faults: ['GetOrderById:error=UnexpectedError', 'CreateOrderLock:error=UnexpectedError#2'],
  params: [
    ANSWER_WITHIN,
    { name: 'orderId', type: 'string', required: false, description: 'the order to lock twice for Conflict (default: a new one with CreateOrder, else the first payable one)' },
    P.currency,
    { ...P.maxPages, default: 5 },
  ],
  async run(run) {
    const wire = await requireWebSocket(run);
    const within = answerWithin(run);
    const method = capability('GetOrderById').wsMethod;
    await run.step(`NotFound: GetOrderById of unknown order ${MISSING_ORDER}`, async (s) => {
      const out = await rawCall(run, s, wire, method, { orderId: MISSING_ORDER }, within);
      if ('silent' in out) silentFailure('GetOrderById', within, 'an unknown order must be answered with the error NotFound');
      checkEposErrorObject('GetOrderById', out.frame, 'NotFound', `order ${MISSING_ORDER} does not exist`);
      s.info(`answered ${show(out.frame.error)}`);
    });
    await run.step('InvalidRequest: GetOrderById without orderId (sent raw, past the platform\'s checks)', async (s) => {
      const out = await rawCall(run, s, wire, method, {}, within);
      if ('silent' in out) silentFailure('GetOrderById', within, 'params that break the contract must be answered with the error InvalidRequest');
      checkEposErrorObject('GetOrderById', out.frame, 'InvalidRequest', 'the required param orderId is missing');
      s.info(`answered ${show(out.frame.error)}`);
    });
    const lockOn = await run.transportsOf('CreateOrderLock');
    const unlockOn = await run.transportsOf('DeleteOrderLock');
    if (!lockOn.ws || !unlockOn.ws) {
      await run.step('Conflict: a second lock on a locked order', async (s) => {
        s.info('not checked: CreateOrderLock and DeleteOrderLock are not both registered on the WebSocket adapter');
      });
      return;
    }
    if (!run.str('orderId') && !(await run.has('CreateOrder')) && !(await run.has('SearchOrders'))) {
      await run.step('Conflict: a second lock on a locked order', async (s) => {
        s.info('not checked: no order to lock (give orderId, or register CreateOrder or SearchOrders)');
      });
      return;
    }
    const { orderId } = await orderToWorkOn(run);
    const lockId = randomUUID();
    const expiry = isoIn(2 * 60_000);
    await run.step(`Lock order ${orderId} (CreateOrderLock)`, async (s) => {
      await s.call('CreateOrderLock', { orderId, lockId, expiry }, undefined, { timeoutMs: within });
    });
    run.defer('Release the lock left behind (DeleteOrderLock)', (s) => s.call('DeleteOrderLock', { orderId, lockId }));
    await run.step('Conflict: a second lock with another lockId (CreateOrderLock)', async (s) => {
      const out = await rawCall(run, s, wire, capability('CreateOrderLock').wsMethod, { orderId, lockId: randomUUID(), expiry }, within);
      if ('silent' in out) silentFailure('CreateOrderLock', within, 'a second lock on a locked order must be answered with the error Conflict');
      checkEposErrorObject('CreateOrderLock', out.frame, 'Conflict', `order ${orderId} is already locked`);
      s.info(`answered ${show(out.frame.error)}`);
    });
  },
};

export const concurrentCallsFlow: FlowDef = {
  name: 'JSON-RPC 50 Concurrent Calls',
  flowName: 'JSON-RPC answers in time at 50 concurrent calls',
  family: FAMILY,
  description: 'Sends 50 GetOrderById calls at once (orders SearchOrders lists when registered, else unknown ids answered NotFound); every call must be answered, correctly, within answerWithinMs. Changes nothing.',
  changesData: false,
  requires: ['GetOrderById'],
  uses: ['SearchOrders'],
  transports: WS_ONLY,
  faults: ['GetOrderById:timeout@0.2', 'GetOrderById:delay=3000#5'],
  params: callsAtOnceParams(50, 'calls at once (at most 200)'),
  async run(run) {
    const { n, within } = await callsAtOnce(run, 200);
    const known = (await run.transportsOf('SearchOrders')).ws
      ? await run.step('Find orders to read (SearchOrders)', async (s) => {
        const ids = await someOrderIds(s, n);
        s.info(ids.length ? `${ids.length} orders listed` : 'no orders listed: unknown ids are asked for instead (answered NotFound)');
        return ids;
      })
      : [];
    await run.step(`${n} GetOrderById calls at once, each answered within ${within} ms`, async (s) => {
      const ids = Array.from({ length: n }, (_, i) => (known.length ? known[i % known.length]! : `${MISSING_ORDER}-${i + 1}`));
      const arrived = await concurrentGets(run, s, ids, within);
      // Unknown ids must be NotFound; anything else (a timeout, another error) is a failure.
      const bad = arrived.filter((x) => x.error !== undefined && !(known.length === 0 && x.error instanceof CallFailure && x.error.eposError?.errorType === 'NotFound'))
        .sort((a, b) => a.i - b.i);
      const slow = bad.filter((x) => x.error instanceof CallFailure && x.error.error.code === 'EPOS_TIMEOUT').length;
      if (bad.length) {
        throw new CheckFailure(`${bad.length} of ${n} concurrent GetOrderById calls were not answered correctly within ${within} ms${slow ? ` (${slow} not answered at all in time)` : ''}: an EPOS must answer every call in time under load`,
          [], bad.slice(0, 10).map((x) => describeCallFailure(x, within)).concat(bad.length > 10 ? [`… and ${bad.length - 10} more`] : []));
      }
      const c = new Checker();
      for (const x of arrived) if (x.result) c.equal(`call ${x.i + 1}: $.id`, x.orderId, x.result.id, 'is not the order this request asked for');
      c.assert('under load the EPOS answered some calls with another call\'s order');
      const ms = arrived.map((x) => x.ms).sort((a, b) => a - b);
      s.info(`${n} answers: p50 ${Math.round(percentile(ms, 0.5))} ms, p95 ${Math.round(percentile(ms, 0.95))} ms, slowest ${Math.round(ms[ms.length - 1] ?? 0)} ms`);
    });
  },
};

export const reconnectFlow: FlowDef = {
  name: 'JSON-RPC Reconnect',
  flowName: 'JSON-RPC socket reconnects after 1012 with its capabilities',
  family: FAMILY,
  description: 'Closes the EPOS socket with 1012 (service restart), as a platform restart does; the EPOS must open a new one within reconnectWithinMs, its registered capabilities (GET /epos/integrations) stay as they were, and a call works on the new socket. Changes nothing.',
  changesData: false,
  requires: ['GetOrderById'],
  transports: WS_ONLY,
  faults: ['GetOrderById:error=UnexpectedError'],
  params: [
    { name: 'reconnectWithinMs', type: 'integer', required: false, default: 5000, description: 'how long the EPOS has to reconnect after the close, in ms' },
    ANSWER_WITHIN,
  ],
  async run(run) {
    const wire = await requireWebSocket(run);
    const within = answerWithin(run);
    const reconnectWithin = run.int('reconnectWithinMs');
    const method = capability('GetOrderById').wsMethod;
    const callWorks = async (s: Step, when: string): Promise<void> => {
      const out = await rawCall(run, s, wire, method, { orderId: MISSING_ORDER }, within);
      if ('silent' in out) silentFailure('GetOrderById', within, `the EPOS does not answer ${when}`);
      checkEposErrorObject('GetOrderById', out.frame, 'NotFound', `order ${MISSING_ORDER} does not exist`);
      s.info(`answered NotFound in ${out.ms} ms`);
    };
    const before = await run.step('Read the registered capabilities (GET /epos/integrations/ws)', async (s) => {
      const list = await run.integrations('ws');
      s.info(`${list[0]?.capabilities.length ?? 0} capabilities registered on the WebSocket adapter`);
      return list;
    });
    await run.step('A call works before the restart (GetOrderById of an unknown order: NotFound)', (s) => callWorks(s, 'before the restart'));
    await run.step(`Close the socket with 1012 (service restart): the EPOS reconnects within ${reconnectWithin} ms`, async (s) => {
      const out = await wire.restartSockets(run.tenant, reconnectWithin, run.signal);
      if (out.reconnectedAfterMs === undefined) {
        throw new CheckFailure(`the EPOS did not reconnect within ${reconnectWithin} ms after the platform closed its socket with 1012 (service restart): an EPOS must reconnect, with backoff, whenever the platform closes its socket`, [
          { path: 'socket', message: 'no new WebSocket opened', expected: `a reconnect within ${reconnectWithin} ms`, actual: 'none' },
        ]);
      }
      s.info(`closed ${out.closed} socket${out.closed === 1 ? '' : 's'}; the EPOS reconnected after ${out.reconnectedAfterMs} ms`);
    });
    await run.step('The registered capabilities survive the reconnect (GET /epos/integrations/ws unchanged)', async (s) => {
      const after = await run.integrations('ws');
      new Checker()
        .equal('$[0].capabilities', before[0]?.capabilities ?? [], after[0]?.capabilities ?? [], 'changed across the reconnect')
        .assert('the registered capabilities changed across the reconnect');
      s.info('unchanged');
    });
    await run.step('A call works after the reconnect (GetOrderById of an unknown order: NotFound)', (s) => callWorks(s, 'on its new socket after the reconnect'));
  },
};

export const PROTOCOL_FLOWS: readonly FlowDef[] = [callsInFlightFlow, unknownMethodFlow, errorShapeFlow, concurrentCallsFlow, reconnectFlow];
