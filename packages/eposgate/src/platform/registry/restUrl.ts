// Rules for the URL of a REST integration. Two forms are accepted: a base URL
// (`https://epos.example/dojo`) and the guide's form, a URL that already holds an operation path
// (`https://epos.example/dojo/v1/orders/{orderID}`): everything from `/v1` on is dropped to get the base.
// Production refuses hosts the address policy forbids (IP literals, localhost names); what a name resolves to
// is checked at connect time (targetGuard.ts), where it cannot change after the check.
import type { FieldIssue } from '../errors.ts';
import type { Environment } from '../tenant.ts';
import { forbiddenHost } from '../transports/addressPolicy.ts';

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
