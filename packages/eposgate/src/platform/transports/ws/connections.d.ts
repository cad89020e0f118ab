import { PlatformError } from '../../errors.ts';
import { type Tenant } from '../../tenant.ts';
import type { EposConnection } from './connection.ts';
export declare class ConnectionRegistry {
    /** Per tenant key, oldest first. */
    private readonly byTenant;
    private readonly waiters;
    private shutdownError?;
    add(conn: EposConnection): void;
    remove(conn: EposConnection): void;
    /** The socket that serves the tenant now: the newest one still open. */
    current(tenant: Tenant): EposConnection | undefined;
    count(tenant: Tenant): number;
    list(tenant: Tenant): EposConnection[];
    all(): EposConnection[];
    /**
     * Resolves with the tenant's serving socket as soon as there is one, or `undefined` after
     * `ms`; rejects if the caller's signal fires or the registry shuts down meanwhile.
     */
    waitFor(tenant: Tenant, ms: number, signal?: AbortSignal): Promise<EposConnection | undefined>;
    /** Fails every waiter and every later wait with `err`. */
    shutdown(err: PlatformError): void;
}
