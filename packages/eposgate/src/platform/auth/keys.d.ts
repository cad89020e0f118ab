import { EventEmitter } from 'node:events';
import type { ApiKeyRecord, KeyStore } from '../store/store.ts';
import type { Caller, Environment } from '../tenant.ts';
export interface KeyCacheOptions {
    /** How long a looked-up key is trusted without reading the store again. Default 1000 ms; 0 turns the cache off. */
    ttlMs?: number;
    /** Most keys remembered at once. Default 10,000. */
    max?: number;
}
export interface KeyEvents {
    /** A key was revoked, here or (seen by watchRevocations) by another process: what it opened must close. */
    revoked: [keyId: string];
}
export declare class KeyService extends EventEmitter<KeyEvents> {
    private readonly keys;
    private readonly now;
    private readonly cache;
    private watchTimer?;
    private readonly announced;
    constructor(keys: KeyStore, now?: () => Date, cache?: KeyCacheOptions);
    /**
     * Looks every `everyMs` for keys revoked by another process (the CLI writes the store directly)
     * and announces each once, so sockets and streams opened with it close within that period.
     */
    watchRevocations(everyMs: number): void;
    stopWatching(): void;
    private announce;
    /** Creates a key; the plain key is returned once and never stored. */
    create(accountId: string, env: Environment, opts?: {
        label?: string;
        key?: string;
    }): Promise<{
        key: string;
        record: ApiKeyRecord;
    }>;
    list(accountId?: string): Promise<ApiKeyRecord[]>;
    revoke(id: string): Promise<boolean>;
    /** Checks the request's headers and says who is calling, or throws the 400/401 that says why not. */
    authenticate(headers: Record<string, string | string[] | undefined>): Promise<Caller>;
}
