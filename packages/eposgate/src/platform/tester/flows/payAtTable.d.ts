import type { FlowDef } from '../types.ts';
export declare const payAtTableFlow: FlowDef;
export declare const payAtTableLockingFlow: FlowDef;
export declare const orderLockingFlow: FlowDef;
