// The tester API's request side: how a flow is described on GET /flows, and how POST /flows is
// checked (unknown flow, unknown, missing or mistyped param → 400 naming it), defaults applied.
import { PlatformError } from "../errors.js";
export function describeFlow(f) {
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
function typeName(v) {
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return 'array';
    if (typeof v === 'number')
        return Number.isInteger(v) ? 'integer' : 'number';
    return typeof v;
}
function invalid(message, issue) {
    throw new PlatformError('VALIDATION_FAILED', message, { details: [issue] });
}
function checkValue(p, v) {
    const path = `$.params.${p.name}`;
    const ok = p.type === 'string' ? typeof v === 'string'
        : p.type === 'integer' ? typeof v === 'number' && Number.isInteger(v)
            : typeof v === 'boolean';
    if (!ok)
        invalid(`${path}: param "${p.name}" must be ${p.type === 'integer' ? 'an integer' : `a ${p.type}`}`, { path, message: `must be ${p.type}`, expected: p.type, actual: typeName(v) });
    if (p.type === 'integer' && v < 1)
        invalid(`${path}: param "${p.name}" must be at least 1`, { path, message: 'must be at least 1', expected: 'minimum 1', actual: v });
    return v;
}
/** Checks a POST /flows body; answers the flow and its params with defaults filled in. */
export function parseStart(flows, body) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        invalid('$: the body must be a JSON object {"flow": NAME, "params": {…}}', { path: '$', message: 'must be an object', expected: 'object', actual: typeName(body) });
    }
    const b = body;
    if (b.flow === undefined)
        invalid('$.flow: name the flow to run (GET /epos-tester-tool/flows lists them)', { path: '$.flow', message: 'is required', expected: 'present' });
    if (typeof b.flow !== 'string')
        invalid('$.flow: must be a string', { path: '$.flow', message: 'must be string', expected: 'string', actual: typeName(b.flow) });
    const def = flows.find((f) => f.name === b.flow) ?? flows.find((f) => f.name.toLowerCase() === b.flow.toLowerCase() || f.flowName === b.flow);
    if (!def) {
        invalid(`$.flow: unknown flow "${b.flow}"; GET /epos-tester-tool/flows lists them`, {
            path: '$.flow', message: `unknown flow "${b.flow}"`, expected: `one of ${flows.map((f) => JSON.stringify(f.name)).join(', ')}`, actual: b.flow,
        });
    }
    const given = b.params ?? {};
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
        invalid('$.params: must be an object', { path: '$.params', message: 'must be object', expected: 'object', actual: typeName(given) });
    }
    const g = given;
    for (const k of Object.keys(g)) {
        if (!def.params.some((p) => p.name === k)) {
            invalid(`$.params.${k}: flow "${def.name}" has no param "${k}"`, {
                path: `$.params.${k}`, message: `flow "${def.name}" has no such param`,
                expected: def.params.length ? `one of ${def.params.map((p) => p.name).join(', ')}` : 'no params', actual: k,
            });
        }
    }
    const params = {};
    for (const p of def.params) {
        const v = g[p.name];
        if (v === undefined || v === null) {
            if (p.default !== undefined)
                params[p.name] = p.default;
            else if (p.required)
                invalid(`$.params.${p.name}: flow "${def.name}" needs param "${p.name}" (${p.description})`, { path: `$.params.${p.name}`, message: 'is required', expected: p.type });
            continue;
        }
        params[p.name] = checkValue(p, v);
    }
    return { def, params };
}
