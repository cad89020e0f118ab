import type { FlowDef } from '../types.ts';
export declare const getOrderFlow: FlowDef;
export declare const orderNotFoundFlow: FlowDef;
export declare const searchOrdersFlow: FlowDef;
export declare const cancelOrderFlow: FlowDef;
export declare const getOrderBillFlow: FlowDef;
