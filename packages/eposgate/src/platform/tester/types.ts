// The tester tool's shapes: what GET /epos-tester-tool/flows lists, and (re-exported from where
// they live) what a flow run records and what a flow module declares.
import type { ParamType } from './flow.ts';
import type { ProductRole } from './products.ts';

export type { Exchange, FlowResult, FlowStatus, Problem, StepRecord, StoredFlow } from './records.ts';
export type { FlowDef, ParamDef, ParamType, ParamValue } from './flow.ts';

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
