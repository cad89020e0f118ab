import { jsonDeeperThan } from '@eposgate/contract';
import { PlatformError } from "../errors.js";
import { clip } from "../limits.js";
export function installJsonBody(app, limits) {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: limits.bodyBytes }, (_req, body, done) => {
        try {
            done(null, parseJsonBody(body, limits));
        }
        catch (err) {
            done(err, undefined);
        }
    });
}
/** The parsed body, or a PlatformError saying what is wrong with the text. */
export function parseJsonBody(text, limits) {
    if (text.trim() === '') {
        throw new PlatformError('INVALID_JSON', 'Body is empty but Content-Type is application/json: send a JSON body');
    }
    if (jsonDeeperThan(text, limits.jsonDepth)) {
        throw new PlatformError('JSON_TOO_DEEP', `Body nests objects and arrays deeper than ${limits.jsonDepth} levels (limits.jsonDepth)`);
    }
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (err) {
        throw new PlatformError('INVALID_JSON', `Body is not valid JSON: ${clip(err.message, limits.errorExcerptChars)}`);
    }
    checkStrings(value, limits);
    return value;
}
/** True for a field that holds an id (or a list of ids): `id`, `orderId`, `tableIds`. */
export function isIdField(key) {
    return key === 'id' || key.endsWith('Id') || key.endsWith('Ids');
}
/**
 * Refuses the first string longer than its bound: `limits.idChars` under an id field, else
 * `limits.stringChars`, object keys included. The depth is already bounded, so recursion is safe.
 */
export function checkStrings(value, limits) {
    const path = [];
    const walk = (v, isId) => {
        if (typeof v === 'string') {
            const max = isId ? limits.idChars : limits.stringChars;
            if (v.length > max)
                tooLong(pathOf(path), v.length, max, isId ? 'idChars' : 'stringChars');
        }
        else if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) {
                path.push(i);
                walk(v[i], isId);
                path.pop();
            }
        }
        else if (typeof v === 'object' && v !== null) {
            for (const [k, item] of Object.entries(v)) {
                if (k.length > limits.stringChars)
                    tooLong(`${pathOf(path)} (a key)`, k.length, limits.stringChars, 'stringChars');
                // What fastify's own parser refuses too: keys that would reach Object.prototype if merged.
                if (k === '__proto__' || (k === 'constructor' && typeof item === 'object' && item !== null && 'prototype' in item)) {
                    const at = `${pathOf(path)}.${k}`;
                    throw new PlatformError('VALIDATION_FAILED', `${at}: the key "${k}" is not accepted in a body`, { details: [{ path: at, message: `"${k}" is not accepted` }] });
                }
                path.push(k);
                walk(item, isIdField(k));
                path.pop();
            }
        }
    };
    walk(value, false);
}
function tooLong(path, length, max, knob) {
    throw new PlatformError('VALIDATION_FAILED', `${path}: string of ${length} characters is longer than ${max} (limits.${knob})`, {
        details: [{ path, message: `longer than ${max} characters`, expected: `at most ${max} characters`, actual: `${length} characters` }],
    });
}
function pathOf(segments) {
    let out = '$';
    for (const s of segments) {
        out += typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(clip(s, 40))}]`;
    }
    return out;
}
