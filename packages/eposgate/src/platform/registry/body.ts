// A registration body: its schema (built from the resolved limits), the words its issues get, and
// the checks a schema cannot say (names and their aliases, versions). Every problem names the field,
// what was expected, and for names the closest valid one.
import { Type, type Static } from '@sinclair/typebox';
import { EVENT_PREFIX, type Capability } from '@eposgate/contract';
import { typeName, validationFailed, type FieldIssue } from '../errors.ts';
import type { TransportKind } from '../store/store.ts';
import { clip, type Limits } from '../limits.ts';
import { explained, type Explain } from '../server/validation.ts';
import { closestName, resolveName } from './names.ts';

/** The one version that exists. `1.0.0`, used by the published spec examples, means the same. */
export const VERSION = 'v1';
const VERSION_ALIASES = new Set(['v1', '1.0.0']);

/** Unknown names per body that get a "did you mean": the edit distance is the costly part. */
export const HINTED_NAMES = 5;
/** How much of an overlong name an error quotes. */
const QUOTED_CHARS = 60;

export type RegistrationLimits = Pick<Limits, 'capabilityCount' | 'capabilityNameChars'>;

const BasicAuth = Type.Object({
  authType: Type.Literal('basic'),
  basic: Type.Object({
    username: Type.String({ minLength: 1, pattern: '^[^:]*$' }),
    password: Type.String({ minLength: 1 }),
  }),
});

/** The body of PUT /epos/integrations/{transport}, as its schema types it. */
export interface RegistrationBody {
  capabilities: { name: string; version: string }[];
  url?: string;
  auth?: Static<typeof BasicAuth>;
}

export interface RegistrationRequest {
  capabilities: { capability: Capability; version: typeof VERSION; sentName: string }[];
  rest?: { url: string; username: string; password: string };
}

/** The body schema of one transport's registration route. */
export function registrationSchema(transport: TransportKind, limits: RegistrationLimits) {
  const name = Type.String({ maxLength: limits.capabilityNameChars });
  const capabilities = Type.Array(Type.Object({ name, version: name }, { additionalProperties: false }), { maxItems: limits.capabilityCount });
  const schema = transport === 'ws'
    ? Type.Object({ capabilities }, { additionalProperties: false })
    : Type.Object({ capabilities, url: Type.Optional(Type.String()), auth: Type.Optional(BasicAuth) }, {
      additionalProperties: false,
      // `{"capabilities": []}` unregisters: there is no target left to describe, so url and auth may go.
      if: { required: ['capabilities'], properties: { capabilities: { type: 'array', maxItems: 0 } } },
      then: {},
      else: { required: ['url', 'auth'] },
    });
  return explained(schema, explainRegistration(transport, limits));
}

const ALLOWED_FIELDS: Record<TransportKind, string[]> = { ws: ['capabilities'], rest: ['capabilities', 'url', 'auth'] };
const NON_EMPTY = (k: string) => `${k} is required and must be a non-empty string`;

function explainRegistration(transport: TransportKind, limits: RegistrationLimits): Explain {
  const max = limits.capabilityNameChars;
  return (issue, e) => {
    if (e.keyword === 'if') return undefined;
    const { path } = issue;
    const missing = e.keyword === 'required';
    const v: unknown = missing ? undefined : e.data;
    const say = (message: string, expected?: string, actual?: unknown): FieldIssue =>
      ({ path, message, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) });
    if (e.keyword === 'additionalProperties') {
      const field = String((e.params as { additionalProperty: string }).additionalProperty);
      if (e.instancePath !== '') return say(`unknown field "${field}"; a capability has name and version`);
      const hint = transport === 'ws' && (field === 'url' || field === 'auth')
        ? `; WebSocket integrations take no ${field}: the EPOS connects to /epos itself`
        : `; allowed: ${ALLOWED_FIELDS[transport].join(', ')}`;
      return say(`unknown field "${field}"${hint}`);
    }
    if (path === '$') return say('body must be a JSON object', 'object', typeName(v));
    if (path === '$.capabilities') {
      if (missing) return say('capabilities is required (send [] to unregister everything)', 'array');
      if (e.keyword === 'maxItems') {
        const n = (v as unknown[]).length;
        return say(`${n} capabilities is more than ${limits.capabilityCount} (limits.capabilityCount); the catalogue has fewer names than that`,
          `at most ${limits.capabilityCount} items`, `${n} items`);
      }
      return say('capabilities must be an array of {name, version}', 'array', typeName(v));
    }
    if (/^\$\.capabilities\[\d+\]$/.test(path)) return say('each capability must be an object {name, version}', 'object', typeName(v));
    if (/^\$\.capabilities\[\d+\]\.name$/.test(path)) {
      if (missing) return say('name is required', 'string');
      if (typeof v !== 'string') return say('name must be a string', 'string', typeName(v));
      return say(`name of ${v.length} characters is longer than ${max} (limits.capabilityNameChars): no capability has such a name`,
        `at most ${max} characters`, clip(v, QUOTED_CHARS));
    }
    if (/^\$\.capabilities\[\d+\]\.version$/.test(path)) {
      if (missing) return say('version is required; send "v1"', '"v1"');
      if (typeof v !== 'string') return say('version must be the string "v1"', '"v1"', v);
      return say(`version of ${v.length} characters is longer than ${max} (limits.capabilityNameChars): send "v1"`, '"v1"', clip(v, QUOTED_CHARS));
    }
    if (path === '$.url') return missing ? say('url is required for a REST integration', 'string') : say('url must be a string', 'string', typeName(v));
    if (path === '$.auth') {
      return missing
        ? say('auth is required: {"authType":"basic","basic":{"username":…,"password":…}}', 'object')
        : say('auth must be an object', 'object', typeName(v));
    }
    if (path === '$.auth.authType') {
      return say(missing ? 'authType is required; the only type is "basic"' : `unsupported authType ${JSON.stringify(v)}; the only type is "basic"`, '"basic"', v);
    }
    if (path === '$.auth.basic') return say('auth.basic {username, password} is required for authType basic', 'object', typeName(v));
    if (path === '$.auth.basic.username') {
      if (e.keyword === 'pattern') return say('username must not contain ":" (basic auth separates username and password with it)', undefined, v);
      return say(NON_EMPTY('username'), 'string', v);
    }
    // A password is never quoted back, only its type.
    if (path === '$.auth.basic.password') return say(NON_EMPTY('password'), 'string', typeName(v));
    return issue;
  };
}

/** What a schema cannot say: every name known (with a "did you mean"), none twice, the version v1. */
export function checkRegistration(body: RegistrationBody): RegistrationRequest {
  const issues: FieldIssue[] = [];
  const capabilities: RegistrationRequest['capabilities'] = [];
  const seen = new Map<string, string>();
  let hints = 0;
  body.capabilities.forEach(({ name, version }, i) => {
    const at = `$.capabilities[${i}]`;
    let cap = resolveName(name);
    if (!cap) {
      // Only the first few unknown names get a hint: each costs an edit distance to every name.
      const suggestion = hints++ < HINTED_NAMES ? closestName(name) : undefined;
      issues.push({ path: `${at}.name`, message: unknownName(name, suggestion), actual: name, ...(suggestion ? { suggestion } : {}) });
    } else if (seen.has(cap.name)) {
      const first = seen.get(cap.name)!;
      issues.push({ path: `${at}.name`, message: `duplicate capability "${name}": ${first === name ? 'already listed' : `same as "${first}" listed before`}`, actual: name });
      cap = undefined;
    } else seen.set(cap.name, name);
    if (!VERSION_ALIASES.has(version)) {
      issues.push({ path: `${at}.version`, message: `unsupported version "${version}": v1 is the only version (send "v1")`, expected: '"v1"', actual: version });
    } else if (cap) capabilities.push({ capability: cap, version: VERSION, sentName: name });
  });
  if (issues.length) throw validationFailed(issues);
  const { url, auth } = body;
  const rest = capabilities.length && url !== undefined && auth ? { url, username: auth.basic.username, password: auth.basic.password } : undefined;
  return { capabilities, ...(rest ? { rest } : {}) };
}

function unknownName(name: string, suggestion: string | undefined): string {
  const didYouMean = suggestion ? `; did you mean "${suggestion}"?` : '; GET /epos/integrations/ws lists what is registered, docs/registration.md every name';
  const isEvent = name.startsWith(EVENT_PREFIX) || `${name}:`.toLowerCase() === EVENT_PREFIX.toLowerCase();
  return isEvent
    ? `unknown event capability "${name}": the event types are payment_intent.created and payment_intent.status_updated${didYouMean}`
    : `unknown capability "${name}"${didYouMean}`;
}
