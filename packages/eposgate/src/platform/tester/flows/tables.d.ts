import type { FlowDef } from '../types.ts';
export declare const tablesAndAreasFlow: FlowDef;
