import type { Capability, CapabilityName } from '@eposgate/contract';
import type { SecretBox } from '../auth/secrets.ts';
import type { IntegrationStore, TransportKind } from '../store/store.ts';
import { type Caller, type Tenant } from '../tenant.ts';
import { type RegistrationLimits } from './body.ts';
export interface IntegrationView {
    createdAt: string;
    capabilities: {
        name: string;
        version: string;
        updatedAt: string;
    }[];
    url?: string;
    auth?: {
        authType: 'basic';
        basic: {
            username: string;
        };
    };
}
export interface RestTarget {
    baseUrl: string;
    username: string;
    password: string;
}
export interface PutResult {
    integrations: IntegrationView[];
    /** Preview capabilities that were accepted: the caller shows a warning. */
    previews: string[];
}
export declare class Registry {
    private readonly store;
    private readonly secrets;
    /** Capability count and name length of a registration body (limits.ts); defaults when absent. */
    private readonly registrationLimits?;
    private readonly now;
    private readonly cache;
    constructor(store: IntegrationStore, secrets: SecretBox, 
    /** Capability count and name length of a registration body (limits.ts); defaults when absent. */
    registrationLimits?: RegistrationLimits | undefined, now?: () => Date);
    put(caller: Caller, transport: TransportKind, body: unknown): Promise<PutResult>;
    /** Same capabilities in the same order, same caller ids, same REST target and credentials. */
    private unchanged;
    list(tenant: Tenant, transport: TransportKind): Promise<IntegrationView[]>;
    /** Which transports the tenant registered this capability on. */
    transportsFor(tenant: Tenant, capability: Capability | CapabilityName): Promise<{
        ws: boolean;
        rest: boolean;
    }>;
    /**
     * Where and how to reach the tenant's REST EPOS; the password is decrypted only here. A password
     * the current secret key cannot open is SECRET_UNREADABLE, which says how to repair it.
     */
    restTarget(tenant: Tenant): Promise<RestTarget | undefined>;
    private entry;
}
