// Checks that go past the schema. A failed check throws CheckFailure carrying each problem with its
// JSON path, what was expected and what was there; the runner turns it into a FAILURE step.
import type { Money } from '@eposgate/contract';
import type { Problem } from './records.ts';

export class CheckFailure extends Error {
  constructor(message: string, readonly problems: Problem[] = [], readonly more: string[] = []) {
    super(message);
    this.name = 'CheckFailure';
  }
}

/** Short JSON rendering for messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'absent';
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

const SCHEMA_WORDS = new Set(['integer', 'number', 'string', 'boolean', 'object', 'array', 'null', 'present', 'absent', 'date-time']);

/** An `expected` written in words ("an open status", "integer") rather than a value to quote. */
function isWords(v: unknown): v is string {
  return typeof v === 'string' && (/\s/.test(v) || SCHEMA_WORDS.has(v));
}

/** One line for additionalInformation: `$.path: message (expected X, actual Y)`. */
export function describeProblem(p: Problem): string {
  const parts: string[] = [];
  if (p.expected !== undefined) parts.push(`expected ${isWords(p.expected) ? p.expected : show(p.expected)}`);
  if ('actual' in p) parts.push(`actual ${show(p.actual)}`);
  return `${p.path}: ${p.message}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Collects problems; `assert()` throws them all at once with a headline. */
export class Checker {
  readonly problems: Problem[] = [];

  /** `actual` must equal `expected` (deep, by JSON). */
  equal(path: string, expected: unknown, actual: unknown, message = 'differs from what was expected'): this {
    if (!same(expected, actual)) this.problems.push({ path, message, expected: expected === undefined ? 'absent' : expected, actual });
    return this;
  }

  /** A condition on a value; `expected` says in words what should hold. */
  that(ok: boolean, path: string, message: string, expected: unknown, actual: unknown): this {
    if (!ok) this.problems.push({ path, message, expected, actual });
    return this;
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  assert(headline: string): void {
    if (this.problems.length) throw new CheckFailure(headline, this.problems);
  }
}

export function fail(headline: string, problem?: Problem): never {
  throw new CheckFailure(headline, problem ? [problem] : []);
}

export const money = (value: number, currencyCode: string): Money => ({ value, currencyCode });

/** Value of an optional amount, 0 when absent. */
export const amount = (m: Money | undefined): number => m?.value ?? 0;

/** Ids that appear more than once, in order of first repeat. */
export function repeats(ids: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ids) {
    if (seen.has(id) && !out.includes(id)) out.push(id);
    seen.add(id);
  }
  return out;
}
