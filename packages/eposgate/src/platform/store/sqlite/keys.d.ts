import type { ApiKeyRecord, KeyStore } from '../store.ts';
import type { Db, Writer } from './db.ts';
export declare class SqliteKeyStore implements KeyStore {
    private readonly w;
    private readonly q;
    constructor(db: Db, w: Writer);
    insert(rec: ApiKeyRecord): Promise<void>;
    findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
    list(filter?: {
        accountId?: string;
    }): Promise<ApiKeyRecord[]>;
    revoke(id: string, at: string): Promise<boolean>;
    revokedSince(since: string): Promise<{
        id: string;
        revokedAt: string;
    }[]>;
}
