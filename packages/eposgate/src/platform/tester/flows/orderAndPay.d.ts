import type { FlowDef } from '../types.ts';
export declare const orderAndPayFlow: FlowDef;
