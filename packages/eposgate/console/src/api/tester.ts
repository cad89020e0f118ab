// The tester tool (docs/tester.md): the flow catalogue, starting a run, reading it back.
import { request } from './http.ts';

export type FlowStatus = 'SUCCESS' | 'FAILURE' | 'TIMED_OUT' | 'IN_PROGRESS';

export interface FlowParam { name: string; type: 'string' | 'integer' | 'boolean'; required: boolean; description: string; default?: string }

export interface FlowDescription {
  name: string;
  params: FlowParam[];
  flowName: string;
  description: string;
  changesData: boolean;
  requires: string[];
  requiresOneOf: string[][];
  uses: string[];
  transports: ('ws' | 'rest')[];
  products: Record<string, string>;
}

export interface Exchange {
  capability: string;
  params: unknown;
  result?: unknown;
  error?: { code: string; message: string; eposError?: unknown; details?: unknown[] };
  ms: number;
}

export interface Step {
  name: string;
  status: FlowStatus;
  startedAt: string;
  finishedAt?: string;
  additionalInformation: string[];
  exchanges?: Exchange[];
  problems?: { path: string; message: string; expected?: unknown; actual?: unknown }[];
}

export interface FlowResult {
  flowID: string;
  flowName: string;
  status: FlowStatus;
  startedAt: string;
  finishedAt?: string;
  steps: Step[];
}

export const flows = (): Promise<FlowDescription[]> => request('GET', '/epos-tester-tool/flows');

/** Answers the new flow's id. */
export const start = (flow: string, params: Record<string, unknown>): Promise<string> =>
  request('POST', '/epos-tester-tool/flows', { body: { flow, params } });

export const get = (flowId: string): Promise<FlowResult> => request('GET', `/epos-tester-tool/flows/${encodeURIComponent(flowId)}`);
