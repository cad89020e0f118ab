export class CheckFailure extends Error {
    problems;
    more;
    constructor(message, problems = [], more = []) {
        super(message);
        this.problems = problems;
        this.more = more;
        this.name = 'CheckFailure';
    }
}
/** Short JSON rendering for messages. */
export function show(v) {
    if (v === undefined)
        return 'absent';
    const s = JSON.stringify(v);
    return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}
const SCHEMA_WORDS = new Set(['integer', 'number', 'string', 'boolean', 'object', 'array', 'null', 'present', 'absent', 'date-time']);
/** An `expected` written in words ("an open status", "integer") rather than a value to quote. */
function isWords(v) {
    return typeof v === 'string' && (/\s/.test(v) || SCHEMA_WORDS.has(v));
}
/** One line for additionalInformation: `$.path: message (expected X, actual Y)`. */
export function describeProblem(p) {
    const parts = [];
    if (p.expected !== undefined)
        parts.push(`expected ${isWords(p.expected) ? p.expected : show(p.expected)}`);
    if ('actual' in p)
        parts.push(`actual ${show(p.actual)}`);
    return `${p.path}: ${p.message}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
}
/** Collects problems; `assert()` throws them all at once with a headline. */
export class Checker {
    problems = [];
    /** `actual` must equal `expected` (deep, by JSON). */
    equal(path, expected, actual, message = 'differs from what was expected') {
        if (!same(expected, actual))
            this.problems.push({ path, message, expected: expected === undefined ? 'absent' : expected, actual });
        return this;
    }
    /** A condition on a value; `expected` says in words what should hold. */
    that(ok, path, message, expected, actual) {
        if (!ok)
            this.problems.push({ path, message, expected, actual });
        return this;
    }
    get ok() {
        return this.problems.length === 0;
    }
    assert(headline) {
        if (this.problems.length)
            throw new CheckFailure(headline, this.problems);
    }
}
export function fail(headline, problem) {
    throw new CheckFailure(headline, problem ? [problem] : []);
}
export const money = (value, currencyCode) => ({ value, currencyCode });
/** Value of an optional amount, 0 when absent. */
export const amount = (m) => m?.value ?? 0;
/** Ids that appear more than once, in order of first repeat. */
export function repeats(ids) {
    const seen = new Set();
    const out = [];
    for (const id of ids) {
        if (seen.has(id) && !out.includes(id))
            out.push(id);
        seen.add(id);
    }
    return out;
}
