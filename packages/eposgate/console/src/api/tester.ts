// The tester tool (docs/tester.md): the flow catalogue, starting a run, reading it back.
import { request } from './http.ts';
import type { FlowResult } from '../../../src/platform/tester/records.ts';
import type { FlowDescription } from '../../../src/platform/tester/types.ts';

// The catalogue's and a run's shapes are the platform's own (type-only: nothing of the platform is bundled).
export type { Exchange, FlowResult, FlowStatus, StepRecord as Step } from '../../../src/platform/tester/records.ts';
export type { FlowDescription } from '../../../src/platform/tester/types.ts';
export type FlowParam = FlowDescription['params'][number];

export const flows = (): Promise<FlowDescription[]> => request('GET', '/epos-tester-tool/flows');

/** Answers the new flow's id. */
export const start = (flow: string, params: Record<string, unknown>): Promise<string> =>
  request('POST', '/epos-tester-tool/flows', { body: { flow, params } });

export const get = (flowId: string): Promise<FlowResult> => request('GET', `/epos-tester-tool/flows/${encodeURIComponent(flowId)}`);
