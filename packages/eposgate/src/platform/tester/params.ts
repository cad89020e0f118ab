// The tester API's request side: how a flow is described on GET /flows, and how POST /flows is
// checked (unknown flow, unknown, missing or mistyped param → 400 naming it), defaults applied.
import { Type, type TSchema } from '@sinclair/typebox';
import { typeName, validationFailed, type FieldIssue } from '../errors.ts';
import { checker, explained } from '../server/validation.ts';
import type { FlowDef, FlowDescription, ParamDef, ParamValue } from './types.ts';

export function describeFlow(f: FlowDef): FlowDescription {
  return {
    name: f.name,
    params: f.params.map((p) => ({
      name: p.name,
      type: p.type,
      required: p.required,
      description: p.description,
      // The spec types `default` as a string: every default is given in its string form.
      ...(p.default !== undefined ? { default: String(p.default) } : {}),
    })),
    flowName: f.flowName,
    description: f.description,
    changesData: f.changesData,
    requires: [...f.requires],
    requiresOneOf: (f.requiresOneOf ?? []).map((g) => [...g]),
    uses: [...(f.uses ?? [])],
    transports: [...(f.transports ?? ['ws', 'rest'])],
    products: { ...f.products },
  };
}

const LISTED = 'GET /epos-tester-tool/flows lists them';

/** The body of POST /epos-tester-tool/flows. Which params a flow takes is checked against the flow's own schema. */
export const StartFlowBody = explained(Type.Object({
  flow: Type.String({ description: `The flow's name ("Get Order"); ${LISTED}` }),
  params: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
}), (issue, e) => {
  const v: unknown = e.keyword === 'required' ? undefined : e.data;
  if (issue.path === '$') return { path: '$', message: 'the body must be a JSON object {"flow": NAME, "params": {…}}', expected: 'object', actual: typeName(v) };
  if (issue.path === '$.flow') {
    return v === undefined
      ? { path: '$.flow', message: `name the flow to run (${LISTED})`, expected: 'present' }
      : { path: '$.flow', message: 'must be string', expected: 'string', actual: typeName(v) };
  }
  if (issue.path === '$.params') return { path: '$.params', message: 'must be an object', expected: 'object', actual: typeName(v) };
  return issue;
});

export interface StartFlow { flow: string; params?: Record<string, unknown> | null }

const PARAM_SCHEMA: Record<ParamDef['type'], () => TSchema> = {
  string: () => Type.String(),
  integer: () => Type.Integer({ minimum: 1 }),
  boolean: () => Type.Boolean(),
};

/** A flow's params as a schema: typed, required unless defaulted, nothing else. */
function paramsChecker(def: FlowDef): (params: unknown) => FieldIssue[] | null {
  const schema = Type.Object(
    Object.fromEntries(def.params.map((p) => [p.name, p.required && p.default === undefined ? PARAM_SCHEMA[p.type]() : Type.Optional(PARAM_SCHEMA[p.type]())])),
    { additionalProperties: false },
  );
  const byName = new Map(def.params.map((p) => [p.name, p]));
  return checker(explained(schema, (issue, e) => {
    const name = issue.path.slice('$.params.'.length);
    const p = byName.get(name);
    if (e.keyword === 'additionalProperties') {
      return { path: issue.path, message: `flow "${def.name}" has no param "${name}"`,
        expected: def.params.length ? `one of ${def.params.map((q) => q.name).join(', ')}` : 'no params', actual: name };
    }
    if (!p) return issue;
    if (e.keyword === 'required') return { path: issue.path, message: `flow "${def.name}" needs param "${p.name}" (${p.description})`, expected: p.type };
    if (e.keyword === 'minimum') return { path: issue.path, message: 'must be at least 1', expected: 'minimum 1', actual: e.data };
    return { path: issue.path, message: `must be ${p.type}`, expected: p.type, actual: typeName(e.data) };
  }), '$.params');
}

const paramCheckers = new WeakMap<FlowDef, (params: unknown) => FieldIssue[] | null>();

/** Checks a POST /flows body past its schema: the flow by name, its params; answers them with defaults filled in. */
export function parseStart(flows: readonly FlowDef[], body: StartFlow): { def: FlowDef; params: Record<string, ParamValue> } {
  const def = flows.find((f) => f.name === body.flow) ?? flows.find((f) => f.name.toLowerCase() === body.flow.toLowerCase() || f.flowName === body.flow);
  if (!def) {
    throw validationFailed([{
      path: '$.flow', message: `unknown flow "${body.flow}"; ${LISTED}`,
      expected: `one of ${flows.map((f) => JSON.stringify(f.name)).join(', ')}`, actual: body.flow,
    }]);
  }
  // A null param counts as absent: its default applies.
  const given = Object.fromEntries(Object.entries(body.params ?? {}).filter(([, v]) => v !== null));
  let check = paramCheckers.get(def);
  if (!check) paramCheckers.set(def, (check = paramsChecker(def)));
  const issues = check(given);
  if (issues) throw validationFailed(issues);
  const params: Record<string, ParamValue> = {};
  for (const p of def.params) {
    const v = given[p.name] as ParamValue | undefined;
    if (v !== undefined) params[p.name] = v;
    else if (p.default !== undefined) params[p.name] = p.default;
  }
  return { def, params };
}
