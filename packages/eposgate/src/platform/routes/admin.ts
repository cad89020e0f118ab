// The operator's routes: GET /admin/tenants and GET /admin/whoami (operator only, server/app.ts
// operatorRoutes), and GET /epos/whoami (any caller of a tenant-scoped route).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { validationFailed } from '../errors.ts';
import { AUTHENTICATED_ERRORS, ErrorBody, errorResponses } from '../server/schemas.ts';
import { explained, type Explain } from '../server/validation.ts';
import { OPERATOR_KEY_ID } from '../server/operatorAccess.ts';
import type { CallStore, KeyStore, IntegrationStore, TenantSummary } from '../store/store.ts';
import { tenantKey, type Environment, type Tenant } from '../tenant.ts';

/** The contract's page size: 50 by default, 200 at most. */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;

/** 1..200 in at most four digits ("0042" is 42, as Number() reads it). */
const PAGE_LIMIT = '^(?=\\d{1,4}$)0*(?:[1-9]\\d?|1\\d\\d|200)$';

const explainQuery: Explain = (issue, e) => {
  if (issue.path === '$.query.limit') return { path: issue.path, message: `limit must be an integer from 1 to ${PAGE_MAX}`, expected: `1..${PAGE_MAX}`, actual: e.data };
  return issue;
};

const TenantsQuery = explained(Type.Object({
  q: Type.Optional(Type.String({ maxLength: 128, description: 'Case-insensitive substring of the account id' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.String({ pattern: PAGE_LIMIT, description: `Page size, 1..${PAGE_MAX} (default ${PAGE_DEFAULT})` })),
}), explainQuery);

const Names = Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'Capabilities registered on the transport; null when none is registered there' });
const TenantRow = Type.Object({
  accountId: Type.String(),
  env: Type.Union([Type.Literal('sandbox'), Type.Literal('production')]),
  keys: Type.Integer({ description: 'Live (not revoked) API keys' }),
  registered: Type.Object({ ws: Names, rest: Names }),
  sockets: Type.Integer({ description: 'Open EPOS sockets on this node, plus one per other node known to hold some (presence knows holders, not counts)' }),
  lastCallAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the tenant last called its EPOS, as the call log has it; absent when the log has no call of it' })),
});
const TenantsPage = Type.Object({ tenants: Type.Array(TenantRow), nextCursor: Type.Optional(Type.String()) });

const Whoami = Type.Union([
  Type.Object({ role: Type.Literal('operator') }),
  Type.Object({
    role: Type.Literal('vendor'), accountId: Type.String(), env: Type.Union([Type.Literal('sandbox'), Type.Literal('production')]),
    keyHint: Type.String(),
  }),
]);

export interface AdminDeps {
  keys: KeyStore;
  integrations: IntegrationStore;
  calls: Pick<CallStore, 'lastCallAt'>;
  /** Open EPOS sockets of the tenant, as the tenant list shows them. */
  sockets(t: Tenant): number;
}

export function adminRoutes(app: FastifyInstance, d: AdminDeps): void {
  const errors = { ...errorResponses(400, 401, 403, 429), 503: ErrorBody };
  const security = [{ OperatorToken: [] }];
  app.get('/admin/whoami', { schema: { security, response: { 200: Whoami, ...errors } } }, async () => ({ role: 'operator' as const }));

  app.get('/admin/tenants', { schema: { security, querystring: TenantsQuery, response: { 200: TenantsPage, ...errors } } }, async (req) => {
    const q = req.query as Static<typeof TenantsQuery>;
    const limit = q.limit === undefined ? PAGE_DEFAULT : Number(q.limit);
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    // One query for the page (and one more row, to know whether a next page exists), one for its
    // registrations, and one index seek per tenant of the page into the call log.
    const rows = await d.keys.tenants({ ...(q.q ? { search: q.q } : {}), ...(after ? { after } : {}), limit: limit + 1 });
    const page = rows.slice(0, limit);
    const registered = new Map<string, { ws: string[] | null; rest: string[] | null }>();
    const [integrations, lastCalls] = await Promise.all([d.integrations.ofTenants(page), d.calls.lastCallAt(page)]);
    for (const i of integrations) {
      const k = tenantKey(i.tenant);
      const r = registered.get(k) ?? { ws: null, rest: null };
      r[i.transport] = i.capabilities.map((c) => c.name);
      registered.set(k, r);
    }
    return {
      tenants: page.map((t: TenantSummary) => ({
        accountId: t.accountId, env: t.env, keys: t.keys,
        registered: registered.get(tenantKey(t)) ?? { ws: null, rest: null },
        sockets: d.sockets(t),
        ...lastAt(lastCalls.get(tenantKey(t))),
      })),
      ...(rows.length > limit ? { nextCursor: encodeCursor(page[page.length - 1]!) } : {}),
    };
  });
}

function lastAt(ms: number | undefined): { lastCallAt?: string } {
  return ms === undefined ? {} : { lastCallAt: new Date(ms).toISOString() };
}

/** GET /epos/whoami: who the tenant-scoped routes take the caller for. */
export function whoamiRoutes(app: FastifyInstance): void {
  app.get('/epos/whoami', { schema: { response: { 200: Whoami, ...errorResponses(...AUTHENTICATED_ERRORS, 403, 404) } } }, async (req) => {
    const c = req.caller;
    if (c.keyId === OPERATOR_KEY_ID) return { role: 'operator' as const };
    return { role: 'vendor' as const, accountId: c.accountId, env: c.env, keyHint: c.keyHint ?? '' };
  });
}

function encodeCursor(t: Tenant): string {
  return Buffer.from(JSON.stringify([t.accountId, t.env])).toString('base64url');
}

function decodeCursor(cursor: string): Tenant {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && (v[1] === 'sandbox' || v[1] === 'production')) {
      return { accountId: v[0], env: v[1] as Environment };
    }
  } catch { /* reported below */ }
  throw validationFailed([{ path: '$.query.cursor', message: 'not a cursor this list gave out: pass nextCursor from the previous page as it is', actual: cursor.slice(0, 64) }]);
}
