import type { Money } from '@eposgate/contract';
import type { Problem } from './types.ts';
export declare class CheckFailure extends Error {
    readonly problems: Problem[];
    readonly more: string[];
    constructor(message: string, problems?: Problem[], more?: string[]);
}
/** Short JSON rendering for messages. */
export declare function show(v: unknown): string;
/** One line for additionalInformation: `$.path: message (expected X, actual Y)`. */
export declare function describeProblem(p: Problem): string;
/** Collects problems; `assert()` throws them all at once with a headline. */
export declare class Checker {
    readonly problems: Problem[];
    /** `actual` must equal `expected` (deep, by JSON). */
    equal(path: string, expected: unknown, actual: unknown, message?: string): this;
    /** A condition on a value; `expected` says in words what should hold. */
    that(ok: boolean, path: string, message: string, expected: unknown, actual: unknown): this;
    get ok(): boolean;
    assert(headline: string): void;
}
export declare function fail(headline: string, problem?: Problem): never;
export declare const money: (value: number, currencyCode: string) => Money;
/** Value of an optional amount, 0 when absent. */
export declare const amount: (m: Money | undefined) => number;
/** Ids that appear more than once, in order of first repeat. */
export declare function repeats(ids: string[]): string[];
