// The one validation seam of the platform's own routes: each route's TypeBox schemas (body, params,
// querystring, headers) are compiled by the contract's ajv, and what they refuse leaves through
// validationFailed() with the same JSON paths the contract reports (`$.capabilities[0].name`,
// `$.query.limit`). A schema may carry an explanation that words its issues for that route.
import type { FastifyInstance } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { schemaCheck, toIssues, type SchemaCheck, type SchemaError } from '@eposgate/contract';
import { validationFailed, type FieldIssue } from '../errors.ts';

/** Rewords the issue of one ajv error, or drops it (undefined) when another issue says it better. */
export type Explain = (issue: FieldIssue, error: SchemaError, root: unknown) => FieldIssue | undefined;

/** A symbol key: invisible to ajv and to the OpenAPI document, kept by a shallow copy of the schema. */
const EXPLAIN = Symbol('explain');

/** `schema`, with the words its issues get on this route. */
export function explained<T extends TSchema>(schema: T, explain: Explain): T {
  return Object.assign(schema, { [EXPLAIN]: explain });
}

/** Where a request part sits in an issue's path: the body is `$`, the rest is named. */
const PART_PREFIX: Record<string, string> = { body: '$', querystring: '$.query', params: '$.path', headers: '$.headers' };

/** Schemas compile once per route; validation runs only on routes that declare a schema. */
export function installValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const check = checker(schema as TSchema, PART_PREFIX[httpPart ?? 'body'] ?? '$');
    return (data: unknown) => {
      const issues = check(data);
      return issues ? { error: validationFailed(issues) } : true;
    };
  });
  // Response schemas document the answers (OpenAPI); the bodies are written as they always were.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/**
 * The issues a value has against a schema, or null: paths under `prefix`, worded by the schema's
 * explanation. For input a route checks itself against a schema it builds (a tester flow's params).
 */
export function checker(schema: TSchema, prefix = '$'): (data: unknown) => FieldIssue[] | null {
  const check = compiled(schema);
  const explain = (schema as { [EXPLAIN]?: Explain })[EXPLAIN];
  return (data) => {
    const errors = check(data);
    if (!errors) return null;
    const issues = toIssues(errors, data, (issue, e) => {
      const at = { ...issue, path: prefixed(issue.path, prefix) };
      return explain ? explain(at, e, data) : at;
    });
    // An explanation drops an issue only beside others; should it drop all, the plain words stand.
    return issues.length ? insideFirst(issues) : toIssues(errors, data);
  };
}

/**
 * ajv's validator for a schema, compiled once per process for each distinct schema. ajv caches by
 * schema object, but a platform builds some route schemas afresh on each start (from the
 * catalogue): a process that starts many platforms (the test suite: ~380) compiled them each time,
 * ~8 ms of CPU per start. Keyed by the schema's JSON, which is what ajv reads (the explanation is a
 * symbol key, outside it). Schemas come from code, never from input, so the map stays small.
 */
const validators = new Map<string, SchemaCheck>();
function compiled(schema: TSchema): SchemaCheck {
  const key = JSON.stringify(schema);
  let check = validators.get(key);
  if (!check) validators.set(key, (check = schemaCheck(schema, { eager: true })));
  return check;
}

/** `$.after` of the querystring is `$.query.after`; a header keeps its name as sent. */
function prefixed(path: string, prefix: string): string {
  if (prefix === '$') return path;
  return prefix + path.slice(1).replace(/^\["([^"]*)"\]/, '.$1');
}

/** Issues one answer lists at most: a hostile body of 50,000 unknown fields gets a readable answer, fast. */
export const MAX_ISSUES = 100;

/**
 * One issue per path, and none inside a value already refused for its size or type: a list of 10,000
 * capabilities is one problem, not 10,001.
 */
function insideFirst(issues: FieldIssue[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  const refused = new Set<string>();
  for (const issue of issues) {
    if (out.length === MAX_ISSUES) break;
    if (ancestors(issue.path).some((p) => refused.has(p))) continue;
    refused.add(issue.path);
    out.push(issue);
  }
  return out;
}

/** `$.a[0].b` → `$.a[0].b`, `$.a[0]`, `$.a`, `$`. */
function ancestors(path: string): string[] {
  const out = [path];
  for (let i = path.length - 1; i > 0; i--) if (path[i] === '.' || path[i] === '[') out.push(path.slice(0, i));
  return out;
}
