// What a flow run records: the steps, the calls each made, the problems found, and the run as
// stored and as GET /epos-tester-tool/flows/{flowId} answers it. A leaf: it imports no tester
// code, so the store can keep these records without depending on the tester. The documented
// FlowResult/StepResult fields are kept exactly; `exchanges` and `problems` on a step are our
// additions (see docs/tester.md).
import type { EPOSError } from '@eposgate/contract';
import type { Tenant } from '../tenant.ts';

export type FlowStatus = 'SUCCESS' | 'FAILURE' | 'TIMED_OUT' | 'IN_PROGRESS';

/** One problem a check found: where, what was expected, what was there. */
export interface Problem {
  path: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
}

/** One call a step made to the EPOS, with what came back. */
export interface Exchange {
  capability: string;
  params: Record<string, unknown>;
  result?: unknown;
  error?: {
    code: string;
    message: string;
    /** The EPOSError exactly as the EPOS sent it. */
    eposError?: EPOSError;
    /** Contract problems found in the EPOS's answer (path, expected, actual). */
    details?: unknown[];
  };
  ms: number;
}

export interface StepRecord {
  name: string;
  status: FlowStatus;
  startedAt: string;
  finishedAt?: string;
  additionalInformation: string[];
  /** Extra: the calls this step made and what the EPOS answered. */
  exchanges?: Exchange[];
  /** Extra: the failed checks, each with its JSON path, expected and actual value. */
  problems?: Problem[];
}

/** GET /epos-tester-tool/flows/{flowId}. */
export interface FlowResult {
  flowID: string;
  flowName: string;
  status: FlowStatus;
  startedAt: string;
  finishedAt?: string;
  steps: StepRecord[];
}

/** A flow run as stored: the result plus whose it is and how it was started. */
export interface StoredFlow extends FlowResult {
  tenant: Tenant;
  /** The catalogue name it was started with ("Get Order"). */
  flow: string;
  params: Record<string, unknown>;
  /** The node running it (cluster mode): only a gone node's flows are taken over. */
  node?: string;
}
