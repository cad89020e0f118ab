import { REST_HEADER_NAMES } from '@eposgate/contract';
import { restRequest } from '@eposgate/contract';
import { PlatformError } from "../errors.js";
/** What every call to one registered target shares, worked out once per target object. */
const prepared = new WeakMap();
function prepare(target) {
    let p = prepared.get(target);
    if (p)
        return p;
    let base;
    try {
        base = new URL(target.baseUrl);
    }
    catch {
        throw new PlatformError('EPOS_UNREACHABLE', 'the registered REST base URL is not a valid URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
        throw new PlatformError('EPOS_UNREACHABLE', `the registered REST base URL must be http(s), not ${base.protocol}`);
    }
    p = {
        origin: base.origin,
        basePath: base.pathname.replace(/\/+$/, ''),
        host: hostPort(base),
        authorization: `Basic ${Buffer.from(`${target.username}:${target.password}`, 'utf8').toString('base64')}`,
    };
    prepared.set(target, p);
    return p;
}
export function buildRestRequest(target, capability, params, requestor) {
    if (!capability.rest) {
        throw new PlatformError('CAPABILITY_PREVIEW', `${capability.name} has no published REST contract, so it cannot be called over REST`);
    }
    let split;
    try {
        split = restRequest(capability, params);
    }
    catch (e) {
        throw new PlatformError('BAD_REQUEST', `${capability.name}: ${e.message}`);
    }
    const t = prepare(target);
    const headers = { authorization: t.authorization, accept: 'application/json' };
    for (const [key, header] of Object.entries(REST_HEADER_NAMES)) {
        const v = requestor[key];
        if (typeof v === 'string' && v !== '')
            headers[header] = v;
    }
    let body;
    if (split.body) {
        body = JSON.stringify(split.body);
        headers['content-type'] = 'application/json';
    }
    return { origin: t.origin, path: t.basePath + split.path, host: t.host, method: split.method, headers, ...(body === undefined ? {} : { body }) };
}
/** `host:port` of a URL, the port spelled out even when it is the default; never credentials. */
export function hostPort(url) {
    return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}
