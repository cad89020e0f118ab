// Proves, field by field, that the catalogue and the TypeBox schemas agree with the published EPOS
// Data contract (REST OpenAPI + WS AsyncAPI in ../shared/reference/spec). Both sides are reduced to
// one canonical form (type, format, enum, properties, required, items, "one of these fields",
// closedness, length/size limits), following $ref, allOf and one-branch oneOf/anyOf, and compared.
//
// Every deliberate difference is listed in SLIPS with its reason. The test fails on any difference
// not listed AND on any listed difference that no longer exists, so the list stays true.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CAPABILITIES, type CapabilityDef } from '../../packages/contract/src/catalogue.ts';
import * as E from '../../packages/contract/src/entities.ts';
import { EPOSError } from '../../packages/contract/src/eposError.ts';
import { pathParamNames, restRequest } from '../../packages/contract/src/rest.ts';
import { validateResult } from '../../packages/contract/src/validate.ts';
import { haveReference, REFERENCE_SPEC_DIR } from '../helpers/reference.ts';

const REST_FILE = join(REFERENCE_SPEC_DIR, 'epos-data-rest.openapi.json');
const WS_FILE = join(REFERENCE_SPEC_DIR, 'epos-data-ws.asyncapi.yml');
/** Skips the test when the specs are absent; under CI fails it instead. */
const haveSpec = (t: TestContext) => haveReference(t, [REST_FILE, WS_FILE]);

type SpecId = 'rest' | 'ws';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// ── The deliberate differences ───────────────────────────────────────────────────────────────────
// Key format: `<spec>:<anchor><.path> <aspect>`; the anchor is the spec component the difference sits
// in (or `<capability>.<body|params|result>` when the spec inlines the schema).

interface Slip {
  keys: string[];
  reason: string;
}

const SLIPS: Slip[] = [
  {
    keys: ['rest:PUT /v1/parties/{partyId} placeholders', 'rest:PUT /v1/reservations/{reservationId} placeholders'],
    reason:
      'The WS params of UpdateParty/UpdateReservation name the EPOS id `id` (no partyId/reservationId). ' +
      'Params follow the WS wire, so the REST route placeholder is {id}: same URL, body = params minus id = the REST UpdateXRequest.',
  },
  {
    keys: ['rest:SearchTables.result type'],
    reason:
      'REST types the SearchTables 200 as an ARRAY of PagedTablesResponse; every other search (and WS) answers one paged object. ' +
      'We expect the object; normalizeRestResult() unwraps a one-element array for vendors that followed the slip.',
  },
  {
    keys: ['ws:Order required'],
    reason: 'WS leaves Order.id optional, REST requires it. An order without an id cannot be fetched, locked or paid: id required.',
  },
  {
    keys: ['rest:Payment required'],
    reason:
      'REST requires Payment.paymentIntentId, WS does not. Orders may carry payments taken at the till (no Dojo payment intent): optional. ' +
      'RecordOrderPaymentById params still require paymentIntentId (both specs agree there).',
  },
  {
    keys: [
      'rest:PagedOrdersResponse required', 'rest:PagedPartiesResponse required',
      'rest:PagedReservationsResponse required', 'rest:PagedTablesResponse required',
    ],
    reason: 'REST leaves `data` optional in the paged responses, WS requires it. A page without data is unusable: required.',
  },
  {
    keys: ['rest:BillURL.showQR extra', 'rest:BillURL.showURL extra', 'ws:Url.showQr extra', 'ws:Url.showUrl extra'],
    reason: 'REST spells the flags showQr/showUrl, WS showQR/showURL. Both spellings are accepted (all optional booleans).',
  },
  {
    keys: [
      'rest:Customer additionalProperties', 'ws:Customer additionalProperties',
      'rest:TaxLine additionalProperties', 'ws:TaxLine additionalProperties',
      'rest:CreateOrderLockRequest additionalProperties', 'rest:ExtendOrderLockRequest additionalProperties',
      'rest:ExtendOrderLockResponse additionalProperties',
    ],
    reason:
      'The specs close a few objects (additionalProperties: false), inconsistently between REST and WS. ' +
      'All our schemas stay open: an EPOS may add fields, and extra fields are passed through, never rejected.',
  },
  {
    keys: [
      'rest:CreatePartyRequest.tableIds minLength', 'ws:CreatePartyRequest.tableIds minLength',
      'rest:CreateReservationRequest.tableIds minLength', 'ws:CreateReservationRequest.tableIds minLength',
      'rest:Reservation.tableIds minLength', 'ws:Reservation.tableIds minLength',
      'rest:UpdateReservationRequest.tableIds minLength', 'ws:UpdateReservationRequest.tableIds minLength',
    ],
    reason:
      '`minLength` on an array has no effect in JSON Schema (minItems was probably meant). We encode what the spec enforces: nothing. ' +
      'Party and UpdatePartyRequest, which use minItems: 1, keep it.',
  },
  {
    keys: ['ws:DeletePartyByIdV1.result type', 'ws:DeleteReservationByIdV1.result type', 'ws:HandleEventV1.result type'],
    reason:
      'WS answers an (empty) object, REST answers 200 without a body. EmptyResult accepts an object or null (no body), ' +
      'so one schema serves both transports.',
  },
];

// ── Canonical form ───────────────────────────────────────────────────────────────────────────────

interface Canon {
  /** Spec component this node was taken from (anchor for difference keys). */
  name?: string;
  types?: string[];
  format?: string;
  enum?: string[];
  properties?: Record<string, Canon>;
  required: string[];
  items?: Canon;
  requireOneOf?: string[][];
  closed?: boolean;
  limits: Record<string, number>;
}

const LIMITS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum'] as const;
const IGNORED = new Set(['title', 'description', 'example', 'examples', 'default', 'readOnly', 'summary']);
const HANDLED = new Set([
  'type', 'format', 'enum', 'const', 'properties', 'required', 'items', 'allOf', 'anyOf', 'oneOf', '$ref',
  'additionalProperties', ...LIMITS,
]);

const empty = (): Canon => ({ required: [], limits: {} });
const sorted = <T>(a: Iterable<T>): T[] => [...a].sort();

function merge(a: Canon, b: Canon, where: string): Canon {
  const out: Canon = { ...a, required: sorted(new Set([...a.required, ...b.required])), limits: { ...a.limits, ...b.limits } };
  if (b.name && !a.name) out.name = b.name;
  if (b.types) {
    if (a.types && JSON.stringify(a.types) !== JSON.stringify(b.types)) throw new Error(`${where}: conflicting types in composition`);
    out.types = b.types;
  }
  for (const k of ['format', 'enum', 'items', 'requireOneOf'] as const) {
    if (b[k] !== undefined) {
      if (a[k] !== undefined) throw new Error(`${where}: ${k} on both sides of a composition`);
      (out as unknown as Record<string, unknown>)[k] = b[k];
    }
  }
  if (b.closed) out.closed = true;
  if (b.properties) {
    out.properties = { ...(a.properties ?? {}) };
    for (const [k, v] of Object.entries(b.properties)) {
      if (out.properties[k]) throw new Error(`${where}: property ${k} defined twice in a composition`);
      out.properties[k] = v;
    }
  }
  return out;
}

function isRequiredOnly(s: Json): boolean {
  return s && typeof s === 'object' && Array.isArray(s.required) &&
    Object.keys(s).every((k) => k === 'required' || IGNORED.has(k) || k.startsWith('x-'));
}

/** Canonical form of a node of either spec, resolving `#/components/schemas/…` refs. */
function canonSpec(node: Json, doc: Json, where: string): Canon {
  for (const k of Object.keys(node)) {
    if (!HANDLED.has(k) && !IGNORED.has(k) && !k.startsWith('x-')) throw new Error(`${where}: unhandled keyword ${k}`);
  }
  let c = own(node, (child, w) => canonSpec(child, doc, w), where);
  if (node.$ref) {
    const name = String(node.$ref).split('/').pop()!;
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`${where}: dangling $ref ${node.$ref}`);
    const resolved = canonSpec(target, doc, name);
    // A pure composition (`XWithHeaders` = allOf [XRequest, Headers]) is anchored at its first part.
    c = merge(resolved, c, where);
    c.name = target.allOf && !target.properties ? (resolved.name ?? name) : name;
  }
  for (const part of node.allOf ?? []) c = merge(c, canonSpec(part, doc, where), where);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches: Json[] | undefined = node[key];
    if (!branches) continue;
    if (branches.length === 1) c = merge(c, canonSpec(branches[0], doc, where), where);
    else if (branches.every(isRequiredOnly)) c.requireOneOf = sorted(branches.map((b) => sorted(b.required).join('+'))).map((s) => s.split('+'));
    else throw new Error(`${where}: ${key} with several schema branches is not handled`);
  }
  if (!c.types && (c.properties || c.required.length)) c.types = ['object'];
  return c;
}

/** The keywords a node carries itself (no composition). */
function own(node: Json, recurse: (child: Json, where: string) => Canon, where: string): Canon {
  const c = empty();
  if (node.type !== undefined) c.types = sorted(Array.isArray(node.type) ? node.type : [node.type]);
  if (node.format !== undefined) c.format = node.format;
  if (node.enum !== undefined) c.enum = sorted(node.enum.map(String));
  if (node.const !== undefined) c.enum = [String(node.const)];
  if (node.properties) {
    c.properties = {};
    for (const [k, v] of Object.entries(node.properties)) c.properties[k] = recurse(v, `${where}.${k}`);
  }
  if (Array.isArray(node.required)) c.required = sorted(node.required);
  if (node.items) c.items = recurse(node.items, `${where}[]`);
  if (node.additionalProperties === false) c.closed = true;
  else if (node.additionalProperties !== undefined && node.additionalProperties !== true) {
    throw new Error(`${where}: additionalProperties schema not handled`);
  }
  for (const l of LIMITS) if (typeof node[l] === 'number') c.limits[l] = node[l];
  return c;
}

/** Canonical form of one of our TypeBox schemas. */
function canonOurs(node: Json, where = '$'): Canon {
  for (const k of Object.keys(node)) {
    if (!HANDLED.has(k) && !IGNORED.has(k)) throw new Error(`ours ${where}: unhandled keyword ${k}`);
  }
  if (node.$ref || node.allOf || node.oneOf) throw new Error(`ours ${where}: $ref/allOf/oneOf not expected`);
  const c = own(node, (child, w) => canonOurs(child, w), where);
  const branches: Json[] | undefined = node.anyOf;
  if (branches) {
    if (branches.every((b) => b.const !== undefined)) {
      c.enum = sorted(branches.map((b) => String(b.const)));
      c.types = sorted(new Set(branches.map((b) => b.type)));
    } else if (branches.every(isRequiredOnly)) {
      c.requireOneOf = sorted(branches.map((b) => sorted(b.required).join('+'))).map((s) => s.split('+'));
    } else {
      // A union of plain types (EmptyResult: object | null): the accepted types are the union.
      const parts = branches.map((b, i) => canonOurs(b, `${where}|${i}`));
      const types = new Set<string>();
      for (const p of parts) {
        if (!p.types) throw new Error(`ours ${where}: untyped union branch`);
        p.types.forEach((t) => types.add(t));
        if (p.properties && Object.keys(p.properties).length) throw new Error(`ours ${where}: union of structured branches`);
      }
      c.types = sorted(types);
      c.properties = {};
    }
  }
  return c;
}

// ── Comparison ───────────────────────────────────────────────────────────────────────────────────

type Diffs = Map<string, string>;

function show(v: unknown): string {
  return v === undefined ? 'absent' : JSON.stringify(v);
}

function compare(ours: Canon, spec: Canon, specId: SpecId, anchor: string, rel: string, out: Diffs): void {
  if (spec.name) {
    anchor = spec.name;
    rel = '';
  }
  const at = `${specId}:${anchor}${rel}`;
  const diff = (aspect: string, o: unknown, s: unknown) => out.set(`${at} ${aspect}`, `spec ${show(s)}, ours ${show(o)}`);

  if (show(ours.types) !== show(spec.types)) {
    diff('type', ours.types, spec.types);
    return; // a different kind of value: the rest would only be noise
  }
  if (ours.format !== spec.format) diff('format', ours.format, spec.format);
  if (show(ours.enum) !== show(spec.enum)) diff('enum', ours.enum, spec.enum);
  if (show(ours.required) !== show(spec.required)) diff('required', ours.required, spec.required);
  if (show(ours.requireOneOf) !== show(spec.requireOneOf)) diff('requireOneOf', ours.requireOneOf, spec.requireOneOf);
  if (!!ours.closed !== !!spec.closed) diff('additionalProperties', ours.closed ? false : 'open', spec.closed ? false : 'open');
  for (const l of LIMITS) if (ours.limits[l] !== spec.limits[l]) diff(l, ours.limits[l], spec.limits[l]);

  const op = ours.properties ?? {};
  const sp = spec.properties ?? {};
  for (const k of sorted(new Set([...Object.keys(op), ...Object.keys(sp)]))) {
    if (!(k in op)) out.set(`${at}.${k} missing`, 'in the spec, not in our schema');
    else if (!(k in sp)) out.set(`${at}.${k} extra`, 'in our schema, not in the spec');
    else compare(op[k], sp[k], specId, anchor, `${rel}.${k}`, out);
  }
  if (ours.items || spec.items) {
    if (!ours.items || !spec.items) diff('items', !!ours.items, !!spec.items);
    else compare(ours.items, spec.items, specId, anchor, `${rel}[]`, out);
  }
}

function without(c: Canon, names: string[]): Canon {
  const properties = { ...(c.properties ?? {}) };
  for (const n of names) delete properties[n];
  return { ...c, properties, required: c.required.filter((r) => !names.includes(r)) };
}

// ── Loading ──────────────────────────────────────────────────────────────────────────────────────

function load(): { rest: Json; ws: Json } {
  return {
    rest: JSON.parse(readFileSync(REST_FILE, 'utf8')),
    ws: parseYaml(readFileSync(WS_FILE, 'utf8')),
  };
}

const normPath = (p: string) => p.replace(/\{[^}]+\}/g, '{}');
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];
const EVENTS_ROUTE = 'POST /v1/events';
const isEvent = (c: CapabilityDef) => c.wsMethod === 'HandleEventV1';
const stable = (CAPABILITIES as readonly CapabilityDef[]).filter((c) => c.status === 'stable');

function restOperations(rest: Json): Map<string, { path: string; method: string; op: Json; pathItem: Json }> {
  const ops = new Map();
  for (const [path, item] of Object.entries<Json>(rest.paths)) {
    for (const m of METHODS) if (item[m]) ops.set(`${m.toUpperCase()} ${normPath(path)}`, { path, method: m, op: item[m], pathItem: item });
  }
  return ops;
}

function resolveParam(p: Json, doc: Json): Json {
  return p.$ref ? doc.components.parameters[String(p.$ref).split('/').pop()!] : p;
}

/** Every difference between our contract and the two specs, keyed as in SLIPS. */
function collectDiffs(rest: Json, ws: Json): Diffs {
  const out: Diffs = new Map();
  const ops = restOperations(rest);

  for (const cap of stable) {
    // REST
    if (cap.rest && !isEvent(cap)) {
      const entry = ops.get(`${cap.rest.method} ${normPath(cap.rest.path)}`);
      if (!entry) continue; // reported by the route test
      const specPh = pathParamNames(entry.path);
      const ourPh = pathParamNames(cap.rest.path);
      if (show(specPh) !== show(ourPh)) {
        out.set(`rest:${entry.method.toUpperCase()} ${entry.path} placeholders`, `spec ${show(specPh)}, ours ${show(ourPh)}`);
      }
      const params = [...(entry.pathItem.parameters ?? []), ...(entry.op.parameters ?? [])].map((p: Json) => resolveParam(p, rest));
      for (const name of specPh) {
        const p = params.find((x: Json) => x.in === 'path' && x.name === name);
        if (!p || p.required !== true || p.schema?.type !== 'string') out.set(`rest:${entry.path} {${name}} declaration`, 'path param not a required string');
      }
      const ours = canonOurs(cap.request);
      for (const name of ourPh) {
        const prop = ours.properties?.[name];
        if (!prop || !ours.required.includes(name) || show(prop.types) !== '["string"]') {
          out.set(`ours:${cap.name}.params.${name} path param`, 'placeholder must be a required string of the params');
        }
      }
      const body = without(ours, ourPh);
      const specBody = entry.op.requestBody?.content?.['application/json']?.schema;
      if (specBody) compare(body, canonSpec(specBody, rest, `${cap.name}.body`), 'rest', `${cap.name}.body`, '', out);
      else if (Object.keys(body.properties ?? {}).length) out.set(`rest:${cap.name}.body extra`, `ours has body fields ${Object.keys(body.properties!)}`);

      const ok = entry.op.responses?.['200'];
      const specResult = ok?.content?.['application/json']?.schema;
      if (specResult) compare(canonOurs(cap.result), canonSpec(specResult, rest, `${cap.name}.result`), 'rest', `${cap.name}.result`, '', out);
      else if (validateResult(cap, undefined) !== null || validateResult(cap, null) !== null) {
        out.set(`rest:${cap.name}.result no body`, 'REST 200 has no body but our result schema rejects an absent body');
      }
    }

    // WS
    const channel = ws.channels[cap.wsMethod];
    if (!channel) continue; // reported by the channel test
    const req = canonSpec(channel.subscribe.message.payload, ws, `${cap.wsMethod} request`).properties?.params;
    const res = canonSpec(channel.publish.message.payload, ws, `${cap.wsMethod} response`).properties?.result;
    if (!req || !res) throw new Error(`${cap.wsMethod}: no params/result in the AsyncAPI messages`);
    compare(canonOurs(cap.request), without(req, ['headers']), 'ws', `${cap.wsMethod}.params`, '', out);
    compare(canonOurs(cap.result), res, 'ws', `${cap.wsMethod}.result`, '', out);
  }

  // Entities by name (also those no capability reaches, e.g. EventType) and the error.
  const wsAlias: Record<string, string> = {
    Image: 'BillImage', Logo: 'BillLogo', MerchantAddress: 'BillMerchantAddress', MerchantEmailAddress: 'BillMerchantEmailAddress',
    MerchantName: 'BillMerchantName', MerchantPhoneNumber: 'BillMerchantPhoneNumber', Text: 'BillText', Url: 'BillURL',
    HorizontalLineType: 'BillHorizontalLine', TaxNumber: 'BillTaxNumber', LineType: 'BillLineType',
  };
  const entities = E as unknown as Record<string, Json>;
  for (const [specId, doc] of [['rest', rest], ['ws', ws]] as const) {
    for (const name of Object.keys(doc.components.schemas)) {
      const ours = name === 'EPOSError' ? EPOSError : entities[(specId === 'ws' && wsAlias[name]) || name];
      if (!ours || typeof ours !== 'object' || !('type' in ours || 'anyOf' in ours)) continue;
      compare(canonOurs(ours), canonSpec({ $ref: `#/components/schemas/${name}` }, doc, name), specId, name, '', out);
    }
  }
  return out;
}

// ── Tests ────────────────────────────────────────────────────────────────────────────────────────

test('every REST operation of the spec is a catalogue route, and vice versa', (t) => {
  if (!haveSpec(t)) return;
  const { rest } = load();
  const specRoutes = sorted(restOperations(rest).keys());
  const ourRoutes = sorted(new Set(stable.filter((c) => c.rest).map((c) => `${c.rest!.method} ${normPath(c.rest!.path)}`)));
  assert.ok(ourRoutes.includes(EVENTS_ROUTE), 'HandleEvent keeps its own REST route');
  assert.deepEqual(ourRoutes.filter((r) => r !== EVENTS_ROUTE), specRoutes);
  // the events route is ours only: the REST spec has no events path
  assert.ok(!specRoutes.includes(EVENTS_ROUTE));
  for (const c of stable.filter(isEvent)) assert.equal(`${c.rest?.method} ${c.rest?.path}`, EVENTS_ROUTE);
  // previews have no published REST operation
  for (const c of CAPABILITIES as readonly CapabilityDef[]) if (c.status === 'preview') assert.equal(c.rest, undefined, c.name);
});

test('every AsyncAPI channel is a catalogue wsMethod, and vice versa (previews excepted)', (t) => {
  if (!haveSpec(t)) return;
  const { ws } = load();
  const channels = sorted(Object.keys(ws.channels));
  const methods = sorted(new Set(stable.map((c) => c.wsMethod)));
  assert.deepEqual(methods, channels);
  for (const c of CAPABILITIES as readonly CapabilityDef[]) {
    if (c.status === 'preview') assert.ok(!(c.wsMethod in ws.channels), `${c.name} is a preview but has a published channel`);
  }
});

test('request headers: WS RequestHeaders fields and REST header names match ours', (t) => {
  if (!haveSpec(t)) return;
  const { rest, ws } = load();
  const diffs: Diffs = new Map();
  compare(canonOurs(E.RequestHeaders), canonSpec(ws.components.schemas.RequestHeaders, ws, 'RequestHeaders'), 'ws', 'RequestHeaders', '', diffs);
  assert.deepEqual([...diffs], []);
  const restHeaders = new Set<string>();
  for (const { op, pathItem } of restOperations(rest).values()) {
    for (const p of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])].map((x: Json) => resolveParam(x, rest))) {
      if (p.in === 'header') {
        restHeaders.add(p.name);
        assert.equal(p.required, false, `${p.name} is optional`);
        assert.equal(p.schema?.type, 'string');
      }
    }
  }
  assert.deepEqual(sorted(restHeaders), sorted(Object.values(E.REST_HEADER_NAMES)));
  for (const [field, header] of Object.entries(E.REST_HEADER_NAMES)) {
    assert.equal(header, field.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`), `${field} ↔ ${header}`);
  }
});

test('REST body = params minus path params, for every capability', () => {
  for (const cap of stable.filter((c) => c.rest)) {
    const ph = pathParamNames(cap.rest!.path);
    const params: Record<string, unknown> = { extra: 1 };
    for (const p of ph) params[p] = `v/${p}`;
    const req = restRequest(cap, params);
    for (const p of ph) assert.ok(req.path.includes(encodeURIComponent(`v/${p}`)), `${cap.name}: ${p} in path`);
    if (cap.rest!.method === 'GET' || cap.rest!.method === 'DELETE') assert.equal(req.body, undefined, cap.name);
    else assert.deepEqual(req.body, { extra: 1 }, cap.name);
  }
});

test('schemas agree with the published specs, field by field (deliberate differences listed)', (t) => {
  if (!haveSpec(t)) return;
  const { rest, ws } = load();
  const found = collectDiffs(rest, ws);
  if (process.env.CROSSCHECK_VERBOSE) for (const [k, v] of found) t.diagnostic(`${k}: ${v}`);
  const allowed = new Map<string, string>();
  for (const s of SLIPS) for (const k of s.keys) {
    assert.ok(!allowed.has(k), `slip listed twice: ${k}`);
    assert.ok(s.reason.length > 20, `slip without a reason: ${k}`);
    allowed.set(k, s.reason);
  }
  const unexpected = [...found].filter(([k]) => !allowed.has(k)).map(([k, v]) => `${k}: ${v}`);
  const stale = [...allowed.keys()].filter((k) => !found.has(k));
  assert.deepEqual(unexpected, [], `differences from the spec that are not in SLIPS:\n${unexpected.join('\n')}`);
  assert.deepEqual(stale, [], `SLIPS entries that no longer differ from the spec (remove them):\n${stale.join('\n')}`);
});

test('the cross-check sees what it claims to see', (t) => {
  if (!haveSpec(t)) return;
  const { rest } = load();
  // A planted difference in each aspect must be caught.
  const money = canonSpec({ $ref: '#/components/schemas/Money' }, rest, 'Money');
  const plant = (mutate: (c: Canon) => void, key: string) => {
    const ours = structuredClone(canonOurs(E.Money));
    mutate(ours);
    const d: Diffs = new Map();
    compare(ours, money, 'rest', 'Money', '', d);
    assert.ok(d.has(key), `planted ${key} not found: ${[...d.keys()]}`);
  };
  plant((c) => { c.properties!.value.types = ['number']; }, 'rest:Money.value type');
  plant((c) => { c.properties!.value.format = 'int32'; }, 'rest:Money.value format');
  plant((c) => { c.required = ['value']; }, 'rest:Money required');
  plant((c) => { delete c.properties!.currencyCode; }, 'rest:Money.currencyCode missing');
  plant((c) => { c.properties!.extra = { types: ['string'], required: [], limits: {} }; }, 'rest:Money.extra extra');
  plant((c) => { c.properties!.currencyCode.limits.maxLength = 3; }, 'rest:Money.currencyCode maxLength');
  plant((c) => { c.properties!.currencyCode.enum = ['GBP']; }, 'rest:Money.currencyCode enum');
});
