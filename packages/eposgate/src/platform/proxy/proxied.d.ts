import { type Capability } from '@eposgate/contract';
export declare const DATA_PREFIX = "/epos/data";
/** Stable capabilities with a REST operation, excluding events (raised through /epos/data/v1/events). */
export declare function proxiedCapabilities(): Capability[];
