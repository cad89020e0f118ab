// Inputs for the fuzzer: valid values from the contract's JSON Schemas (the subset TypeBox emits for
// our contract: object/required, string with format/pattern/length, integer with bounds, number,
// boolean, null, array with minItems, anyOf, const), and mutations of them — nasty values at a
// random path, removed and added keys, type swaps, deep nesting, huge strings — plus raw-text
// mutations of a serialised body.
import fc from 'fast-check';

type Schema = Record<string, any>;

const MIN_MS = Date.parse('2000-01-01T00:00:00Z');
const MAX_MS = Date.parse('2100-01-01T00:00:00Z');

/** An arbitrary of values valid against `schema` (for the subset the contract uses). */
export function validOf(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.anyOf)) return fc.oneof(...schema.anyOf.map((s: Schema) => validOf(s, depth)));
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date-time') return fc.integer({ min: MIN_MS, max: MAX_MS }).map((ms) => new Date(ms).toISOString());
      if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
      const minLength = schema.minLength ?? 0;
      return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 16, 16)) });
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 10_000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(validOf(schema.items ?? {}, depth + 1), { minLength, maxLength: Math.max(minLength, depth > 2 ? 1 : 3) });
    }
    case 'object': {
      const props: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) props[k] = validOf(s, depth + 1);
      return fc.record(props, { requiredKeys: (schema.required ?? []) as string[] }) as fc.Arbitrary<unknown>;
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Nested arrays `n` deep, built without recursion. */
export function nested(n: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

const SIZES = [100, 1_000, 5_000, 20_000, 100_000, 400_000];

/** Values that have broken parsers, validators, loggers and stores somewhere. */
export const nasty: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(
    null, true, false, 0, -1, -0, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', ' ', '\u0000', '\ud800', '\udfff', '💥', 'ﷺ', '\u202e',
    '__proto__', 'constructor', 'toString', '../../etc/passwd', '%00', '%ZZ', 'NaN', 'Infinity', '1e999', 'null', 'true',
    '<script>', "'; DROP TABLE orders; --", [], {}, [[]], { __proto__: null }, { toString: 1 }, [null], '2026-02-30T25:61:61Z',
  ) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() .map((d) => (Number.isFinite(d) ? d : 0)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SIZES), fc.constantFrom('x', 'é', '😀', '\\"')).map(([n, c]) => c.repeat(Math.ceil(n / c.length))) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 3000 }).map(nested) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

export type Op =
  | { kind: 'replace'; path: number[]; value: unknown }
  | { kind: 'delete'; path: number[] }
  | { kind: 'add'; path: number[]; key: string; value: unknown }
  | { kind: 'wrap'; path: number[] };

/** One mutation of a JSON value. */
export const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), path: fc.array(fc.nat(), { maxLength: 6 }), value: nasty }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('add' as const), path: fc.array(fc.nat(), { maxLength: 4 }), key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'headers', 'id', '')), value: nasty }),
  fc.record({ kind: fc.constant('wrap' as const), path: fc.array(fc.nat(), { maxLength: 6 }) }),
);

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function shallowCopy<T>(v: T): T {
  if (Array.isArray(v)) return [...v] as T;
  if (isContainer(v)) return Object.assign(Object.create(Object.getPrototypeOf(v) as object | null) as object, v) as T;
  return v;
}

/**
 * Applies one op to `root` without changing it: only the containers on the path are copied (values
 * may be nested thousands deep). The path's indices pick children modulo their count.
 */
export function applyOp(root: unknown, o: Op): unknown {
  const holder: Record<string, unknown> = { root: shallowCopy(root) };
  let parent: Record<string, unknown> | unknown[] = holder;
  let key: string | number = 'root';
  for (const i of o.path) {
    const cur: unknown = (parent as Record<string, unknown>)[key as string];
    if (!isContainer(cur)) break;
    const keys = Array.isArray(cur) ? cur.map((_, j) => j) : Object.keys(cur);
    if (keys.length === 0) break;
    parent = cur;
    key = keys[i % keys.length]!;
    (parent as Record<string, unknown>)[key as string] = shallowCopy((parent as Record<string, unknown>)[key as string]);
  }
  const target = parent as Record<string, unknown>;
  switch (o.kind) {
    case 'replace': target[key as string] = o.value; break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else if (parent !== holder) delete target[key as string];
      break;
    case 'add': {
      const cur = target[key as string];
      if (isContainer(cur) && !Array.isArray(cur)) Object.defineProperty(cur, o.key, { value: o.value, enumerable: true, writable: true, configurable: true });
      else if (Array.isArray(cur)) cur.push(o.value);
      else target[key as string] = { [o.key]: o.value };
      break;
    }
    case 'wrap': target[key as string] = [target[key as string]]; break;
  }
  return holder.root;
}

/** `valid`, unchanged about a third of the time, else with one to three mutations. */
export function mutatedOf(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.oneof({ weight: 1, arbitrary: fc.constant([] as Op[]) }, { weight: 2, arbitrary: fc.array(op, { minLength: 1, maxLength: 3 }) }))
    .map(([v, ops]) => ops.reduce(applyOp, v));
}

/** A JSON text, usually `JSON.stringify(value)`, sometimes broken at the text level. */
export function bodyText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.tuple(value, fc.nat()).map(([v, n]) => { const s = JSON.stringify(v) ?? ''; return s.slice(0, n % (s.length + 1)); }) },
    { weight: 1, arbitrary: fc.tuple(value, fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 4 })).map(([v, n, c]) => { const s = JSON.stringify(v) ?? ''; const i = n % (s.length + 1); return s.slice(0, i) + c + s.slice(i); }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '[]', '"s"', '1', '{', '{"a":1,"a":2}', '\ufeff{}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}') },
    { weight: 1, arbitrary: fc.integer({ min: 20, max: 200_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 20, max: 100_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)) },
  );
}

/** `n` values of `arb` for `seed`, drawn in chunks as they are consumed (bounded memory). */
export function* samples<T>(arb: fc.Arbitrary<T>, seed: number, n: number, chunk = 200): Generator<T> {
  for (let start = 0, c = 0; start < n; start += chunk, c++) {
    yield* fc.sample(arb, { seed: (seed + c * 7919) | 0, numRuns: Math.min(chunk, n - start) });
  }
}
