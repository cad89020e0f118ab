import type { FlowDef } from '../types.ts';
/** A method no EPOS serves: the unknown-method check sends it. */
export declare const UNKNOWN_METHOD = "EposgateTesterNoSuchMethodV1";
export declare const callsInFlightFlow: FlowDef;
export declare const unknownMethodFlow: FlowDef;
export declare const errorShapeFlow: FlowDef;
export declare const concurrentCallsFlow: FlowDef;
export declare const reconnectFlow: FlowDef;
export declare const PROTOCOL_FLOWS: readonly FlowDef[];
