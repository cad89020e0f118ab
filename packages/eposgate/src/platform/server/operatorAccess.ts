// The operator: one bearer token (EPOSGATE_ADMIN_TOKEN / adminToken) that opens the /admin routes,
// and every tenant-scoped route for the tenant named in `eposgate-tenant: <accountId>:<env>`.
// Without a token configured there is no operator access at all. The operator has its own rate
// limit, so a busy console neither eats a vendor's budget nor is starved by one.
import { PlatformError } from '../errors.ts';
import { ACCOUNT_ID } from '../auth/keys.ts';
import { envOfKey } from '../auth/apiKey.ts';
import { bearerToken, sameSecret } from '../auth/sameSecret.ts';
import type { Caller, Environment, Tenant } from '../tenant.ts';
import { RateLimiter } from './rateLimit.ts';

export const OPERATOR_KEY_ID = 'operator';
export const TENANT_HEADER = 'eposgate-tenant';

type Headers = Record<string, string | string[] | undefined>;

export interface OperatorAccessOptions {
  /** The admin token; undefined: operator access is off. */
  token: string | undefined;
  perSecond: number;
  burst: number;
  /** Whether the tenant exists (has an API key, live or revoked). */
  tenantExists(t: Tenant): Promise<boolean>;
}

export class OperatorAccess {
  private readonly limiter: RateLimiter;
  constructor(private readonly o: OperatorAccessOptions) {
    this.limiter = new RateLimiter({ perSecond: o.perSecond, burst: o.burst, maxKeys: 1 });
  }

  get enabled(): boolean {
    return !!this.o.token;
  }

  /**
   * A bearer token is the operator's or refused. An API key sent as a bearer token is not: the key
   * check answers it (MALFORMED_AUTHORIZATION, "send it as Basic").
   */
  claims(headers: Headers): boolean {
    const token = bearerToken(single(headers.authorization)?.trim());
    return token !== undefined && envOfKey(token) === undefined;
  }

  /** Throws unless the request carries the operator token, then counts it against the operator's rate. */
  check(headers: Headers, onRetryAfter: (seconds: number) => void): void {
    const auth = single(headers.authorization);
    if (auth === undefined || auth.trim() === '') {
      throw new PlatformError('MISSING_AUTHORIZATION', 'this route is for the operator: send "Authorization: Bearer <admin token>" (EPOSGATE_ADMIN_TOKEN)');
    }
    const given = bearerToken(auth.trim());
    if (given === undefined) {
      throw new PlatformError('MALFORMED_AUTHORIZATION', 'the operator sends "Authorization: Bearer <admin token>"');
    }
    const token = this.o.token;
    if (!token) {
      throw new PlatformError('OPERATOR_ACCESS_DISABLED',
        'operator access is disabled on this platform: no admin token is configured (set EPOSGATE_ADMIN_TOKEN, or adminToken)');
    }
    if (!sameSecret(given, token)) throw new PlatformError('FORBIDDEN', 'the bearer token is not the admin token');
    if (!this.limiter.take(OPERATOR_KEY_ID)) {
      const wait = this.limiter.retryAfterSeconds(OPERATOR_KEY_ID);
      onRetryAfter(wait);
      throw new PlatformError('RATE_LIMITED', `Too many operator requests; retry in ${wait} s`);
    }
  }

  /** The operator acting on the tenant its `eposgate-tenant` header names (after check()). */
  async caller(headers: Headers): Promise<Caller> {
    const tenant = parseTenantHeader(single(headers[TENANT_HEADER]));
    if (!(await this.o.tenantExists(tenant))) {
      throw new PlatformError('UNKNOWN_TENANT', `no account "${tenant.accountId}" in ${tenant.env}: the ${TENANT_HEADER} header names no tenant with an API key`);
    }
    const softwareHouseId = single(headers['software-house-id'])?.trim() || OPERATOR_KEY_ID;
    const resellerId = single(headers['reseller-id'])?.trim();
    return { ...tenant, keyId: OPERATOR_KEY_ID, softwareHouseId, ...(resellerId ? { resellerId } : {}) };
  }
}

/** `<accountId>:<sandbox|production>`; an account id may itself hold ":", so the last one splits. */
export function parseTenantHeader(value: string | undefined): Tenant {
  if (value === undefined || value.trim() === '') {
    throw new PlatformError('MISSING_TENANT_HEADER',
      `the operator names the tenant it acts on: send "${TENANT_HEADER}: <accountId>:<sandbox|production>"`);
  }
  const v = value.trim();
  const at = v.lastIndexOf(':');
  const accountId = at > 0 ? v.slice(0, at) : '';
  const env = at > 0 ? v.slice(at + 1) : '';
  if (!ACCOUNT_ID.test(accountId) || (env !== 'sandbox' && env !== 'production')) {
    throw new PlatformError('MALFORMED_TENANT_HEADER',
      `the ${TENANT_HEADER} header must be "<accountId>:<sandbox|production>" (account id: 1-128 letters, digits, ".", "_", ":" or "-")`);
  }
  return { accountId, env: env as Environment };
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
