export type Environment = 'sandbox' | 'production';
export interface Tenant {
    accountId: string;
    env: Environment;
}
/** Stable string form, for maps and logs. */
export declare function tenantKey(t: Tenant): string;
/** Who called: recorded with what a request touches. */
export interface Caller extends Tenant {
    keyId: string;
    softwareHouseId: string;
    resellerId?: string;
}
