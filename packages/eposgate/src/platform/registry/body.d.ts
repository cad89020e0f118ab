import { type Capability } from '@eposgate/contract';
import type { TransportKind } from '../store/store.ts';
import { type Limits } from '../limits.ts';
/** The one version that exists. `1.0.0`, used by the published spec examples, means the same. */
export declare const VERSION = "v1";
export interface RegistrationRequest {
    capabilities: {
        capability: Capability;
        version: typeof VERSION;
        sentName: string;
    }[];
    rest?: {
        url: string;
        username: string;
        password: string;
    };
}
/** Unknown names per body that get a "did you mean": the edit distance is the costly part. */
export declare const HINTED_NAMES = 5;
export type RegistrationLimits = Pick<Limits, 'capabilityCount' | 'capabilityNameChars'>;
export declare function parseRegistration(body: unknown, transport: TransportKind, limits?: RegistrationLimits): RegistrationRequest;
export declare function typeName(v: unknown): string;
