import type { FlowDef } from '../types.ts';
export declare const partiesFlow: FlowDef;
export declare const reservationsFlow: FlowDef;
export declare const bookingsFlow: FlowDef;
