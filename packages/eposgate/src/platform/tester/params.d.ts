import type { FlowDef, FlowDescription, ParamValue } from './types.ts';
export declare function describeFlow(f: FlowDef): FlowDescription;
/** Checks a POST /flows body; answers the flow and its params with defaults filled in. */
export declare function parseStart(flows: readonly FlowDef[], body: unknown): {
    def: FlowDef;
    params: Record<string, ParamValue>;
};
