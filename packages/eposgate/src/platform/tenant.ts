// A tenant is one account in one environment: the unit of isolation for keys, registrations,
// sockets, events and flows.
export type Environment = 'sandbox' | 'production';

export interface Tenant {
  accountId: string;
  env: Environment;
}

/** Stable string form, for maps and logs. */
export function tenantKey(t: Tenant): string {
  return `${t.env}:${t.accountId}`;
}

/** Who called: recorded with what a request touches. */
export interface Caller extends Tenant {
  /** The API key's id, or `operator` for the operator acting on the tenant (server/operatorAccess.ts). */
  keyId: string;
  /** The key's first characters (never the key), so people can tell which key did something. */
  keyHint?: string;
  softwareHouseId: string;
  resellerId?: string;
}
