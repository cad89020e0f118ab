// The tester tool's shapes: what GET /epos-tester-tool/flows lists, what a flow run records, and
// what a flow module declares. The documented FlowResult/StepResult fields are kept exactly;
// `exchanges` and `problems` on a step are our additions (see docs/tester.md).
import type { CapabilityName } from '@eposgate/contract';
import type { EPOSError } from '@eposgate/contract';
import type { Tenant } from '../tenant.ts';
import type { Product, ProductRole } from './products.ts';

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

export type ParamType = 'string' | 'integer' | 'boolean';
export type ParamValue = string | number | boolean;

export interface ParamDef {
  name: string;
  type: ParamType;
  required: boolean;
  description: string;
  default?: ParamValue;
}

/** One entry of GET /epos-tester-tool/flows. `name` and `params` are the spec's; the rest is ours. */
export interface FlowDescription {
  name: string;
  params: Array<{ name: string; type: ParamType; required: boolean; description: string; default?: string }>;
  flowName: string;
  description: string;
  changesData: boolean;
  /** Capabilities that must all be registered for the flow to apply. */
  requires: string[];
  /** Groups of which at least one capability must be registered (e.g. a way to get an order to work on). */
  requiresOneOf: string[][];
  /** Capabilities the flow also uses when registered. */
  uses: string[];
  /** Transports the flow applies to: protocol flows check WebSocket EPOSes only. */
  transports: ('ws' | 'rest')[];
  /** Products that depend on this flow, and how (see products.ts). */
  products: Record<string, ProductRole>;
}

export interface FlowDef {
  /** What POST /flows takes as `flow` ("Get Order"). */
  name: string;
  /** What the result reports as `flowName` ("Get Order through EPOS Data API"). */
  flowName: string;
  description: string;
  changesData: boolean;
  requires: CapabilityName[];
  requiresOneOf?: CapabilityName[][];
  uses?: CapabilityName[];
  params: ParamDef[];
  /** Products that depend on this flow: `required`, or `if registered` (must pass when it applies). */
  products?: Partial<Record<Product, ProductRole>>;
  /** Flow families group the catalogue in docs and CLI output. */
  family: string;
  /** Transports the flow applies to (protocol flows are WebSocket only). Default: both. */
  transports?: readonly ('ws' | 'rest')[];
  /**
   * Fault specs of the reference EPOS (`eposgate epos --faults`, src/epos/faults.ts) under which
   * this flow must fail, naming the rule it broke: the conformance suite turns each on and checks.
   */
  faults?: readonly string[];
  run(run: import('./runner.ts').FlowRun): Promise<void>;
}
