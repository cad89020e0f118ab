import { forbiddenHost } from "../transports/addressPolicy.js";
export function restBaseUrl(raw, env) {
    const fail = (message) => ({ issue: { path: '$.url', message, actual: raw } });
    let u;
    try {
        u = new URL(raw);
    }
    catch {
        return fail('url must be an absolute http(s) URL, e.g. https://epos.example.com/dojo');
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:')
        return fail(`url must use https (or http in sandbox), not ${u.protocol.replace(':', '')}`);
    if (u.username || u.password)
        return fail('url must not carry credentials: send them in auth.basic');
    if (u.search || u.hash)
        return fail('url must not have a query string or fragment');
    if (env === 'production') {
        if (u.protocol !== 'https:')
            return fail('production integrations must use an https url');
        const why = forbiddenHost(u.hostname);
        if (why)
            return fail(`production url must be publicly reachable: ${u.hostname} is ${why}`);
    }
    // Placeholders arrive percent-encoded from the URL parser.
    let path = decodeURI(u.pathname);
    const v1 = path.search(/\/v1(\/|$)/);
    if (v1 >= 0)
        path = path.slice(0, v1);
    if (/[{}]/.test(path))
        return fail('url placeholders such as {orderId} may only appear after /v1/ (the operation path)');
    path = path.replace(/\/+$/, '');
    return { baseUrl: `${u.protocol}//${u.host}${path}` };
}
