import { type Capability } from '@eposgate/contract';
export declare function resolveName(name: string): Capability | undefined;
/**
 * The valid name a misspelt one most likely meant. Quadratic in the name's length: callers bound
 * the length and the number of names they ask about (registry/body.ts).
 */
export declare function closestName(name: string): string;
