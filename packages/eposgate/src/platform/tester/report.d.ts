import type { FlowResult, StepRecord } from './types.ts';
/** Longest EPOS debugMessage quoted in a step's headline or a report line, characters. */
export declare const EPOS_SAID_CHARS = 300;
/** Call errors that say the EPOS cannot be reached at all, not that it answered badly. */
export declare const GONE_CODES: readonly string[];
/**
 * Why the EPOS looks gone after this flow, or undefined: the last call of the flow's failed steps
 * ended EPOS_UNREACHABLE (connection refused, reset, socket closed) or EPOS_NOT_CONNECTED.
 */
export declare function goneReason(r: Pick<FlowResult, 'status' | 'steps'>): string | undefined;
/**
 * Lines to print under a failed step so the EPOS's own error is never hidden: its errorType and
 * debugMessage, unless the step's lines already quote them.
 */
export declare function eposSaidLines(s: Pick<StepRecord, 'status' | 'additionalInformation' | 'exchanges'>): string[];
