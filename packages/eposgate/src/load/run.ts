// One load run: set up what the journeys need (tables, free tables, payable orders), then start
// journeys open-loop at the arrival rate, at most `terminals` at once (an arrival that finds every
// terminal busy is dropped and counted, never queued), then wait for the journeys in flight.
import { randomUUID } from 'node:crypto';
import type { Caller } from './caller.ts';
import { CallFailed, JOURNEYS, Journey, LOCK_CAPABILITIES, NEEDS, NoData, RUN, TableLeases, type JourneyName, type Setting } from './journeys.ts';
import { Recorder, type Summary } from './stats.ts';

export interface LoadOptions {
  caller: Caller;
  /** Capabilities the EPOS registered (or implements, in-process). */
  registered: ReadonlySet<string>;
  journey: JourneyName;
  locks: boolean;
  terminals: number;
  ratePerSecond: number;
  durationMs: number;
  maxErrorRate: number;
  currency?: string;
  /** Called about every `progressEveryMs` while journeys run. */
  onProgress?: (p: Progress) => void;
  progressEveryMs?: number;
}

export interface Progress {
  elapsedMs: number;
  durationMs: number;
  active: number;
  started: number;
  done: number;
  dropped: number;
  calls: number;
  errors: number;
  checkFailed: number;
  p99: number;
}

/** What the run was asked for, and what came of it. */
export interface LoadReport extends Pick<LoadOptions, 'journey' | 'locks' | 'terminals' | 'ratePerSecond' | 'durationMs' | 'maxErrorRate'> {
  startedAt: string;
  summary: Summary;
  /** Why the run failed; empty when it passed. */
  failures: string[];
  passed: boolean;
}

export class LoadSetupError extends Error {}

/** Capabilities a journey needs that are not registered. */
export function missingFor(journey: JourneyName, locks: boolean, registered: ReadonlySet<string>): string[] {
  const need = [...NEEDS[journey].requires, ...(journey === 'pay-at-table' && locks ? LOCK_CAPABILITIES : [])];
  return need.filter((c) => !registered.has(c));
}

async function setupCall(caller: Caller, capability: string, params: Record<string, unknown>): Promise<any> {
  const r = await caller.call(capability, params);
  if (!r.ok) throw new LoadSetupError(`setting up the run, ${capability} failed: ${r.outcome} ${r.message}`);
  return r.result;
}

/** Every id a search lists, following `after` (at most `maxPages` pages). */
async function listAll(caller: Caller, capability: string, params: Record<string, unknown>, maxPages = 20): Promise<Array<{ id: string; payable?: boolean }>> {
  const items: Array<{ id: string }> = [];
  let after: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await setupCall(caller, capability, { ...params, cursor: { limit: 50, ...(after ? { after } : {}) } });
    items.push(...page.data);
    if (!page.after || page.after === after) break;
    after = page.after;
  }
  return items;
}

async function setting(o: LoadOptions, recorder: Recorder): Promise<Setting> {
  if (!JOURNEYS.includes(o.journey)) throw new LoadSetupError(`unknown journey "${o.journey}": use ${JOURNEYS.join(', ')}`);
  const missing = missingFor(o.journey, o.locks, o.registered);
  if (missing.length) throw new LoadSetupError(`the ${o.journey}${o.locks ? ' --locks' : ''} journey needs ${missing.join(', ')}, which the EPOS has not registered`);
  const has = (c: string) => o.registered.has(c);
  const tables = has('SearchTables') ? (await listAll(o.caller, 'SearchTables', {})).map((t) => t.id) : [];
  let free: string[] = [];
  if (o.journey === 'bookings') {
    for (const t of tables) {
      const seated = has('SearchParties') ? (await setupCall(o.caller, 'SearchParties', { tableId: t, cursor: { limit: 1 } })).data.length : 0;
      if (!seated) free.push(t);
    }
    if (!free.length) throw new LoadSetupError('bookings needs a free table to seat parties at: every table the EPOS lists is occupied');
  }
  const orderPool = o.journey === 'pay-at-table' && !has('CreateOrder')
    ? (await listAll(o.caller, 'SearchOrders', { payableOnly: true })).filter((x) => x.payable !== false).map((x) => x.id)
    : [];
  return {
    caller: o.caller, recorder, registered: o.registered, locks: o.locks, currency: o.currency ?? 'GBP',
    runId: `load-${randomUUID().slice(0, 8)}`, tables, freeTables: new TableLeases(free), orderPool,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  if (!(o.ratePerSecond > 0) || !(o.terminals >= 1) || !(o.durationMs > 0)) throw new LoadSetupError('rate, terminals and duration must be positive');
  const startedAt = new Date().toISOString();
  let recorder = new Recorder();
  const s = await setting(o, recorder);
  // The clock starts once set-up is done.
  recorder = new Recorder();
  s.recorder = recorder;
  let active = 0;
  let started = 0;
  const inFlight = new Set<Promise<void>>();
  const launch = () => {
    const n = ++started;
    active++;
    const j = new Journey(s, n);
    const t = recorder.now();
    const p = RUN[o.journey](j).then(
      () => recorder.journey(t, j.checkFailed ? 'check' : 'ok'),
      (err: unknown) => {
        if (!(err instanceof CallFailed) && !(err instanceof NoData)) recorder.checkFailed('the journey runs to its end', `journey ${n}: ${err instanceof Error ? err.message : String(err)}`);
        if (err instanceof NoData) recorder.noData.set(err.message, (recorder.noData.get(err.message) ?? 0) + 1);
        // A broken rule is what the run is for; the call that failed after it is usually its consequence.
        recorder.journey(t, j.checkFailed ? 'check' : 'error');
      },
    ).finally(() => {
      active--;
      inFlight.delete(p);
    });
    inFlight.add(p);
  };
  const progress = () => {
    const l = recorder.live();
    o.onProgress?.({ elapsedMs: recorder.now(), durationMs: o.durationMs, active, started, done: l.journeysDone, dropped: recorder.dropped, calls: l.calls, errors: l.errors, checkFailed: l.checkFailed, p99: l.p99 });
  };
  const ticker = o.onProgress ? setInterval(progress, o.progressEveryMs ?? 250) : undefined;
  try {
    const interval = 1000 / o.ratePerSecond;
    const total = Math.max(1, Math.floor(o.durationMs / interval));
    let arrivals = 0;
    while (arrivals < total) {
      const due = Math.min(total, Math.floor(recorder.now() / interval) + 1);
      while (arrivals < due) {
        arrivals++;
        if (active < o.terminals) launch();
        else recorder.dropped++;
      }
      if (arrivals < total) await sleep(Math.max(0, arrivals * interval - recorder.now()));
    }
    while (inFlight.size) await Promise.all([...inFlight]);
  } finally {
    if (ticker) clearInterval(ticker);
  }
  progress();
  // The run lasts at least its duration, though the last journey may end before it (arrivals fall at its start).
  const summary = recorder.summary(Math.max(recorder.now(), o.durationMs));
  const failures: string[] = [];
  if (summary.calls.errorRate > o.maxErrorRate) {
    failures.push(`error rate ${pct(summary.calls.errorRate)} is above --max-error-rate ${pct(o.maxErrorRate)}`);
  }
  const checks = summary.checkFailures.reduce((t, c) => t + c.count, 0);
  if (checks) failures.push(`${checks} semantic check${checks === 1 ? '' : 's'} failed (${summary.checkFailures.map((c) => c.rule).join('; ')})`);
  for (const [why, count] of recorder.noData) failures.push(`${count} journey${count === 1 ? '' : 's'} could not run: ${why}`);
  if (summary.journeys.started === 0) failures.push('no journey started');
  return {
    journey: o.journey, locks: o.locks, terminals: o.terminals, ratePerSecond: o.ratePerSecond, durationMs: o.durationMs,
    maxErrorRate: o.maxErrorRate, startedAt, summary, failures, passed: failures.length === 0,
  };
}

export const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 2)}%`;
