// Validates a registration body and says exactly what is wrong: the field, what was expected,
// and for names the closest valid one.
import { EVENT_PREFIX } from '@eposgate/contract';
import { PlatformError } from "../errors.js";
import { DEFAULT_LIMITS, clip } from "../limits.js";
import { closestName, resolveName } from "./names.js";
/** The one version that exists. `1.0.0`, used by the published spec examples, means the same. */
export const VERSION = 'v1';
const VERSION_ALIASES = new Set(['v1', '1.0.0']);
/** Unknown names per body that get a "did you mean": the edit distance is the costly part. */
export const HINTED_NAMES = 5;
/** How much of an overlong name an error quotes. */
const QUOTED_CHARS = 60;
const ALLOWED_FIELDS = { ws: ['capabilities'], rest: ['capabilities', 'url', 'auth'] };
export function parseRegistration(body, transport, limits = DEFAULT_LIMITS) {
    const issues = [];
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw invalid([{ path: '$', message: 'body must be a JSON object', expected: 'object', actual: typeName(body) }]);
    }
    const b = body;
    for (const k of Object.keys(b)) {
        if (!ALLOWED_FIELDS[transport].includes(k)) {
            const hint = transport === 'ws' && (k === 'url' || k === 'auth')
                ? `; WebSocket integrations take no ${k}: the EPOS connects to /epos itself`
                : `; allowed: ${ALLOWED_FIELDS[transport].join(', ')}`;
            issues.push({ path: `$.${k}`, message: `unknown field "${k}"${hint}` });
        }
    }
    const capabilities = parseCapabilities(b.capabilities, issues, limits);
    let rest;
    // `{"capabilities": []}` unregisters: there is no target left to describe, so url and auth may go.
    const unregister = Array.isArray(b.capabilities) && b.capabilities.length === 0;
    if (transport === 'rest' && !unregister)
        rest = parseRest(b, issues);
    if (issues.length)
        throw invalid(issues);
    return { capabilities, ...(rest ? { rest } : {}) };
}
function parseCapabilities(v, issues, limits) {
    if (v === undefined) {
        issues.push({ path: '$.capabilities', message: 'capabilities is required (send [] to unregister everything)', expected: 'array' });
        return [];
    }
    if (!Array.isArray(v)) {
        issues.push({ path: '$.capabilities', message: 'capabilities must be an array of {name, version}', expected: 'array', actual: typeName(v) });
        return [];
    }
    if (v.length > limits.capabilityCount) {
        issues.push({
            path: '$.capabilities',
            message: `${v.length} capabilities is more than ${limits.capabilityCount} (limits.capabilityCount); the catalogue has fewer names than that`,
            expected: `at most ${limits.capabilityCount} items`, actual: `${v.length} items`,
        });
        return [];
    }
    const out = [];
    const seen = new Map();
    let hints = 0;
    const maxChars = limits.capabilityNameChars;
    v.forEach((item, i) => {
        const at = `$.capabilities[${i}]`;
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
            issues.push({ path: at, message: 'each capability must be an object {name, version}', expected: 'object', actual: typeName(item) });
            return;
        }
        const { name, version, ...rest } = item;
        for (const k of Object.keys(rest))
            issues.push({ path: `${at}.${k}`, message: `unknown field "${k}"; a capability has name and version` });
        let cap;
        if (name === undefined)
            issues.push({ path: `${at}.name`, message: 'name is required', expected: 'string' });
        else if (typeof name !== 'string')
            issues.push({ path: `${at}.name`, message: 'name must be a string', expected: 'string', actual: typeName(name) });
        else if (name.length > maxChars) {
            issues.push({ path: `${at}.name`, message: `name of ${name.length} characters is longer than ${maxChars} (limits.capabilityNameChars): no capability has such a name`, expected: `at most ${maxChars} characters`, actual: clip(name, QUOTED_CHARS) });
        }
        else {
            cap = resolveName(name);
            if (!cap) {
                // Only the first few unknown names get a hint: each costs an edit distance to every name.
                const suggestion = hints++ < HINTED_NAMES ? closestName(name) : undefined;
                const didYouMean = suggestion ? `; did you mean "${suggestion}"?` : '; GET /epos/integrations/ws lists what is registered, docs/registration.md every name';
                const isEvent = name.startsWith(EVENT_PREFIX) || `${name}:`.toLowerCase() === EVENT_PREFIX.toLowerCase();
                const message = isEvent
                    ? `unknown event capability "${name}": the event types are payment_intent.created and payment_intent.status_updated${didYouMean}`
                    : `unknown capability "${name}"${didYouMean}`;
                issues.push({ path: `${at}.name`, message, actual: name, ...(suggestion ? { suggestion } : {}) });
            }
            else if (seen.has(cap.name)) {
                const first = seen.get(cap.name);
                issues.push({ path: `${at}.name`, message: `duplicate capability "${name}": ${first === name ? 'already listed' : `same as "${first}" listed before`}`, actual: name });
                cap = undefined;
            }
            else
                seen.set(cap.name, name);
        }
        if (version === undefined)
            issues.push({ path: `${at}.version`, message: 'version is required; send "v1"', expected: '"v1"' });
        else if (typeof version !== 'string')
            issues.push({ path: `${at}.version`, message: 'version must be the string "v1"', expected: '"v1"', actual: version });
        else if (version.length > maxChars) {
            issues.push({ path: `${at}.version`, message: `version of ${version.length} characters is longer than ${maxChars} (limits.capabilityNameChars): send "v1"`, expected: '"v1"', actual: clip(version, QUOTED_CHARS) });
        }
        else if (!VERSION_ALIASES.has(version)) {
            issues.push({ path: `${at}.version`, message: `unsupported version "${version}": v1 is the only version (send "v1")`, expected: '"v1"', actual: version });
        }
        else if (cap)
            out.push({ capability: cap, version: VERSION, sentName: name });
    });
    return out;
}
function parseRest(b, issues) {
    let url = '';
    if (b.url === undefined)
        issues.push({ path: '$.url', message: 'url is required for a REST integration', expected: 'string' });
    else if (typeof b.url !== 'string')
        issues.push({ path: '$.url', message: 'url must be a string', expected: 'string', actual: typeName(b.url) });
    else
        url = b.url;
    const auth = b.auth;
    if (auth === undefined) {
        issues.push({ path: '$.auth', message: 'auth is required: {"authType":"basic","basic":{"username":…,"password":…}}', expected: 'object' });
        return undefined;
    }
    if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) {
        issues.push({ path: '$.auth', message: 'auth must be an object', expected: 'object', actual: typeName(auth) });
        return undefined;
    }
    const a = auth;
    if (a.authType !== 'basic') {
        issues.push({ path: '$.auth.authType', message: a.authType === undefined ? 'authType is required; the only type is "basic"' : `unsupported authType ${JSON.stringify(a.authType)}; the only type is "basic"`, expected: '"basic"', actual: a.authType });
    }
    const basic = a.basic;
    if (typeof basic !== 'object' || basic === null || Array.isArray(basic)) {
        issues.push({ path: '$.auth.basic', message: 'auth.basic {username, password} is required for authType basic', expected: 'object', actual: typeName(basic) });
        return undefined;
    }
    const { username, password } = basic;
    for (const [k, v] of [['username', username], ['password', password]]) {
        if (typeof v !== 'string' || v === '') {
            issues.push({ path: `$.auth.basic.${k}`, message: `${k} is required and must be a non-empty string`, expected: 'string', actual: k === 'password' ? typeName(v) : v });
        }
    }
    if (typeof username === 'string' && username.includes(':')) {
        issues.push({ path: '$.auth.basic.username', message: 'username must not contain ":" (basic auth separates username and password with it)', actual: username });
    }
    return { url, username: username, password: password };
}
function invalid(issues) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    return new PlatformError('VALIDATION_FAILED', `${first.path}: ${first.message}${more}`, { details: issues });
}
export function typeName(v) {
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return 'array';
    return typeof v;
}
