// Reading a finished flow for a report: what the EPOS itself said when a step failed, and whether
// the failure means the EPOS is gone (so running more flows against it only waits out timeouts).
import { clip } from '../limits.ts';
import type { FlowResult, StepRecord } from './records.ts';

/** Longest EPOS debugMessage quoted in a step's headline or a report line, characters. */
export const EPOS_SAID_CHARS = 300;

/** Call errors that say the EPOS cannot be reached at all, not that it answered badly. */
export const GONE_CODES: readonly string[] = ['EPOS_UNREACHABLE', 'EPOS_NOT_CONNECTED'];

/**
 * Why the EPOS looks gone after this flow, or undefined: the last call of the flow's failed steps
 * ended EPOS_UNREACHABLE (connection refused, reset, socket closed) or EPOS_NOT_CONNECTED.
 */
export function goneReason(r: Pick<FlowResult, 'status' | 'steps'>): string | undefined {
  if (r.status === 'SUCCESS') return undefined;
  for (const s of [...r.steps].reverse()) {
    if (s.status === 'SUCCESS') continue;
    const last = s.exchanges?.at(-1)?.error;
    if (last && GONE_CODES.includes(last.code)) return `${last.code}: ${clip(last.message, EPOS_SAID_CHARS)}`;
  }
  return undefined;
}

/**
 * Lines to print under a failed step so the EPOS's own error is never hidden: its errorType and
 * debugMessage, unless the step's lines already quote them.
 */
export function eposSaidLines(s: Pick<StepRecord, 'status' | 'additionalInformation' | 'exchanges'>): string[] {
  if (s.status === 'SUCCESS' || s.status === 'IN_PROGRESS') return [];
  const e = s.exchanges?.at(-1)?.error?.eposError;
  if (!e?.debugMessage) return [];
  const head = e.debugMessage.slice(0, EPOS_SAID_CHARS);
  if (s.additionalInformation.some((l) => l.includes(head))) return [];
  return [`the EPOS answered ${e.errorType}: ${JSON.stringify(clip(e.debugMessage, EPOS_SAID_CHARS))}`];
}
