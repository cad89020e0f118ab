import type { FlowDef } from '../types.ts';
export declare const FLOWS: readonly FlowDef[];
/** True when every capability a flow requires is registered (and one of each `requiresOneOf` group). */
export declare function flowApplies(flow: {
    requires: readonly string[];
    requiresOneOf?: readonly (readonly string[])[];
}, registered: ReadonlySet<string>): boolean;
/** What keeps a flow from applying: each required capability not registered, and each `requiresOneOf` group as "A or B". */
export declare function missingCapabilities(flow: {
    requires: readonly string[];
    requiresOneOf?: readonly (readonly string[])[];
}, registered: ReadonlySet<string>): string[];
