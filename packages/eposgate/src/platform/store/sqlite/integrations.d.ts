import type { Tenant } from '../../tenant.ts';
import type { IntegrationStore, StoredIntegration, TransportKind } from '../store.ts';
import type { Db, Writer } from './db.ts';
export declare class SqliteIntegrationStore implements IntegrationStore {
    private readonly w;
    private readonly q;
    constructor(db: Db, w: Writer);
    get(tenant: Tenant, transport: TransportKind): Promise<StoredIntegration | undefined>;
    put(i: StoredIntegration): Promise<void>;
    delete(tenant: Tenant, transport: TransportKind): Promise<void>;
}
