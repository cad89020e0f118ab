import type { FastifyInstance } from 'fastify';
import { type Limits } from '../limits.ts';
export type BodyLimits = Pick<Limits, 'bodyBytes' | 'jsonDepth' | 'stringChars' | 'idChars' | 'errorExcerptChars'>;
export declare function installJsonBody(app: FastifyInstance, limits: BodyLimits): void;
/** The parsed body, or a PlatformError saying what is wrong with the text. */
export declare function parseJsonBody(text: string, limits: BodyLimits): unknown;
/** True for a field that holds an id (or a list of ids): `id`, `orderId`, `tableIds`. */
export declare function isIdField(key: string): boolean;
/**
 * Refuses the first string longer than its bound: `limits.idChars` under an id field, else
 * `limits.stringChars`, object keys included. The depth is already bounded, so recursion is safe.
 */
export declare function checkStrings(value: unknown, limits: Pick<Limits, 'stringChars' | 'idChars'>): void;
