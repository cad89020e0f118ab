// Rules for the URL of a REST integration. Two forms are accepted: a base URL
// (`https://epos.example/dojo`) and the guide's form, a URL that already holds an operation path
// (`https://epos.example/dojo/v1/orders/{orderID}`): everything from `/v1` on is dropped to get the base.
import { isIP } from 'node:net';
import type { FieldIssue } from '../errors.ts';
import type { Environment } from '../tenant.ts';

export function restBaseUrl(raw: string, env: Environment): { baseUrl: string } | { issue: FieldIssue } {
  const fail = (message: string): { issue: FieldIssue } => ({ issue: { path: '$.url', message, actual: raw } });
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return fail('url must be an absolute http(s) URL, e.g. https://epos.example.com/dojo');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return fail(`url must use https (or http in sandbox), not ${u.protocol.replace(':', '')}`);
  if (u.username || u.password) return fail('url must not carry credentials: send them in auth.basic');
  if (u.search || u.hash) return fail('url must not have a query string or fragment');
  if (env === 'production') {
    if (u.protocol !== 'https:') return fail('production integrations must use an https url');
    const why = forbiddenHost(u.hostname);
    if (why) return fail(`production url must be publicly reachable: ${u.hostname} is ${why}`);
  }
  // Placeholders arrive percent-encoded from the URL parser.
  let path = decodeURI(u.pathname);
  const v1 = path.search(/\/v1(\/|$)/);
  if (v1 >= 0) path = path.slice(0, v1);
  if (/[{}]/.test(path)) return fail('url placeholders such as {orderId} may only appear after /v1/ (the operation path)');
  path = path.replace(/\/+$/, '');
  return { baseUrl: `${u.protocol}//${u.host}${path}` };
}

function forbiddenHost(hostname: string): string | undefined {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return 'a loopback host';
  const kind = isIP(h);
  if (kind === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    if (a === 127) return 'a loopback address';
    if (a === 0) return 'an unspecified address';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'a private address';
    if (a === 169 && b === 254) return 'a link-local address';
  } else if (kind === 6) {
    if (h === '::1') return 'a loopback address';
    if (h === '::') return 'an unspecified address';
    if (/^f[cd]/.test(h)) return 'a private address';
    if (/^fe[89ab]/.test(h)) return 'a link-local address';
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return forbiddenHost(mapped[1]!);
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
    if (hex) {
      const hi = parseInt(hex[1]!, 16), lo = parseInt(hex[2]!, 16);
      return forbiddenHost(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
  }
  return undefined;
}
