// What `eposgate test` prints and writes: step lines, the flows that did not run and why, the
// products summary, and the JUnit / JSON reports.
import { readiness, type FlowOutcome, type ProductReadiness } from '../platform/tester/products.ts';
import { eposSaidLines } from '../platform/tester/report.ts';
import type { FlowDescription, FlowResult, StepRecord } from '../platform/tester/types.ts';
import { cliIo } from './io.ts';

export interface Ran {
  flow: string;
  params: Record<string, unknown>;
  result: FlowResult;
}

/**
 * A flow that did not run. NOT_APPLICABLE: the EPOS does not offer what it needs (not a failure);
 * SKIPPED: it needs a param, or changes data and the key is a production one; NOT_RUN: the EPOS
 * (or the platform) was gone before its turn, or refused the credentials (the run fails).
 */
export interface NotRan {
  flow: string;
  status: 'NOT_APPLICABLE' | 'SKIPPED' | 'NOT_RUN';
  /** The line after "- <flow>: ", e.g. "not applicable: needs CreateOrder". */
  reason: string;
  /** NOT_APPLICABLE: the capabilities it needs ("A or B" for a group). */
  needs?: string[];
}

export const notApplicable = (flow: string, needs: string[]): NotRan => ({ flow, status: 'NOT_APPLICABLE', reason: `not applicable: needs ${needs.join(', ')}`, needs });
export const skipped = (flow: string, why: string): NotRan => ({ flow, status: 'SKIPPED', reason: `skipped (${why})` });
/** `why` is a phrase: "the EPOS is gone (EPOS_UNREACHABLE: …)". */
export const notRun = (flow: string, why: string): NotRan => ({ flow, status: 'NOT_RUN', reason: `not run: ${why}` });

const tty = () => cliIo().stdout.isTTY === true;
export const out = (s: string) => void cliIo().stdout.write(s);
export const MARK: Record<string, string> = { SUCCESS: '✓', FAILURE: '✗', TIMED_OUT: '⏱', IN_PROGRESS: '…' };
export const color = (status: string, s: string) => {
  if (!tty()) return s;
  const c = status === 'SUCCESS' ? 32 : status === 'IN_PROGRESS' ? 36 : status === 'TIMED_OUT' ? 33 : 31;
  return `\x1b[${c}m${s}\x1b[0m`;
};
export const isTty = tty;

/** A finished step, and for a failed one its lines plus what the EPOS itself answered. */
export function stepLine(s: StepRecord): string {
  const ms = s.finishedAt ? ` (${Date.parse(s.finishedAt) - Date.parse(s.startedAt)} ms)` : '';
  const head = tty() ? `  ${color(s.status, MARK[s.status])} ${s.name}${ms}` : `  ${s.status.padEnd(11)} ${s.name}${ms}`;
  const info = s.status === 'SUCCESS' ? [] : [...s.additionalInformation, ...eposSaidLines(s)].map((l) => `      ${l}`);
  return [head, ...info].join('\n') + '\n';
}

/** What became of each flow, for the products rule. */
export function outcomes(ran: Ran[], notRan: NotRan[]): Map<string, FlowOutcome> {
  const m = new Map<string, FlowOutcome>();
  for (const r of ran) m.set(r.flow, r.result.status === 'SUCCESS' ? { kind: 'passed' } : { kind: 'failed', status: r.result.status });
  for (const n of notRan) {
    m.set(n.flow, n.status === 'NOT_APPLICABLE' ? { kind: 'not applicable', needs: n.needs ?? [] }
      : n.status === 'SKIPPED' ? { kind: 'skipped', reason: n.reason } : { kind: 'not run', reason: n.reason });
  }
  return m;
}

export function products(flows: FlowDescription[], ran: Ran[], notRan: NotRan[]): ProductReadiness[] {
  return readiness(flows, outcomes(ran, notRan));
}

/** The summary's last lines: each product and why, then the ones this EPOS is ready for. */
export function productLines(list: ProductReadiness[]): string {
  if (!list.length) return '';
  const lines = ['products:'];
  for (const p of list) {
    const why = p.status === 'ready' ? (p.passed.length ? ` (${p.passed.join(', ')} passed)` : '') : `: ${p.reasons.join('; ')}`;
    lines.push(`  ${p.status.toUpperCase().padEnd(14)} ${p.product}${why}`);
  }
  const ready = list.filter((p) => p.status === 'ready').map((p) => p.product);
  lines.push(ready.length ? `ready for: ${ready.join(', ')}` : 'ready for no product yet');
  return lines.join('\n') + '\n';
}

/** The count line: what ran, then what did not and why in a word. */
export function countLine(ran: Ran[], notRan: NotRan[]): string {
  const count = (st: string) => ran.filter((r) => r.result.status === st).length;
  const kind = (k: NotRan['status'], word: string) => {
    const n = notRan.filter((x) => x.status === k).length;
    return n ? `, ${n} ${word}` : '';
  };
  return `${ran.length} flows: ${count('SUCCESS')} succeeded, ${count('FAILURE')} failed, ${count('TIMED_OUT')} timed out`
    + `${kind('SKIPPED', 'skipped')}${kind('NOT_APPLICABLE', 'not applicable')}${kind('NOT_RUN', 'not run')}\n`;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
  // eslint-disable-next-line no-control-regex
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: a testsuite per flow, a testcase per step; flows that did not run are skipped. */
export function junit(ran: Ran[], notRan: NotRan[]): string {
  const secs = (a?: string, b?: string) => (a && b ? ((Date.parse(b) - Date.parse(a)) / 1000).toFixed(3) : '0');
  const suites = ran.map(({ flow, result: r }) => {
    const failures = r.steps.filter((s) => s.status === 'FAILURE').length;
    const errors = r.steps.filter((s) => s.status === 'TIMED_OUT').length;
    const cases = r.steps.map((s) => {
      const body = [...s.additionalInformation, ...eposSaidLines(s)].join('\n');
      const inner = s.status === 'FAILURE' ? `<failure message="${xml(s.additionalInformation[0] ?? 'failed')}" type="FAILURE">${xml(body)}</failure>`
        : s.status === 'TIMED_OUT' ? `<error message="${xml(s.additionalInformation[0] ?? 'timed out')}" type="TIMED_OUT">${xml(body)}</error>`
        : s.status === 'IN_PROGRESS' ? '<skipped message="still in progress"/>'
        : body ? `<system-out>${xml(body)}</system-out>` : '';
      return `    <testcase classname="${xml(flow)}" name="${xml(s.name)}" time="${secs(s.startedAt, s.finishedAt)}">${inner}</testcase>`;
    });
    if (r.status !== 'SUCCESS' && failures + errors === 0) {
      cases.push(`    <testcase classname="${xml(flow)}" name="flow status" time="0"><failure message="${xml(`flow ended ${r.status}`)}" type="${r.status}"/></testcase>`);
    }
    return `  <testsuite name="${xml(flow)}" id="${xml(r.flowID)}" tests="${cases.length}" failures="${failures + (r.status !== 'SUCCESS' && failures + errors === 0 ? 1 : 0)}" errors="${errors}" timestamp="${xml(r.startedAt)}" time="${secs(r.startedAt, r.finishedAt)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  for (const s of notRan) {
    suites.push(`  <testsuite name="${xml(s.flow)}" tests="1" failures="0" errors="0" skipped="1">\n    <testcase classname="${xml(s.flow)}" name="${xml(s.flow)}" time="0"><skipped message="${xml(s.reason)}"/></testcase>\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="eposgate test">\n${suites.join('\n')}\n</testsuites>\n`;
}
