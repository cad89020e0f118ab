import type { Tenant } from '../../tenant.ts';
import { type DeliveryError, type DeliveryStatus, type EposEventRecord, type EposEventStore, type OutboxChange, type OutboxEntry, type OutboxStore } from '../store.ts';
import type { Db, Writer } from './db.ts';
/**
 * The next per-tenant seq of a table. tenant_seqs remembers the last one handed out, so pruning a
 * tenant's newest rows never hands a number out twice (cursors and SSE ids stay valid).
 */
export declare const NEXT_SEQ = "INSERT INTO tenant_seqs (tbl, account_id, env, last) VALUES (?, ?, ?, 1)\n  ON CONFLICT (tbl, account_id, env) DO UPDATE SET last = last + 1 RETURNING last AS seq";
export declare class SqliteOutboxStore implements OutboxStore {
    private readonly db;
    private readonly w;
    private readonly q;
    private readonly insertTx;
    /** UPDATE statements by the set of columns they change (prepared once each). */
    private readonly updates;
    constructor(db: Db, w: Writer);
    insert(entry: Omit<OutboxEntry, 'seq'>): Promise<{
        entry: OutboxEntry;
        created: boolean;
    }>;
    get(tenant: Tenant, id: string): Promise<OutboxEntry | undefined>;
    list(tenant: Tenant, q: {
        status?: DeliveryStatus;
        after?: number;
        limit: number;
    }): Promise<OutboxEntry[]>;
    dueHeads(now: number, limit: number): Promise<OutboxEntry[]>;
    nextDueAt(after: number): Promise<number | undefined>;
    update(tenant: Tenant, id: string, change: OutboxChange): Promise<boolean>;
    makeDue(tenant: Tenant, now: number): Promise<number>;
    expirePending(before: number, lastError: DeliveryError, limit: number): Promise<number>;
    pruneDone(before: number, limit: number): Promise<number>;
    pruneDoneBeyond(keep: number, limit: number): Promise<number>;
}
export declare class SqliteEposEventStore implements EposEventStore {
    private readonly w;
    private readonly q;
    private readonly appendTx;
    constructor(db: Db, w: Writer);
    append(rec: Omit<EposEventRecord, 'seq'>): Promise<EposEventRecord>;
    list(tenant: Tenant, after: number, limit: number): Promise<EposEventRecord[]>;
    pruneOlder(before: number, limit: number): Promise<number>;
    pruneBeyond(keep: number, limit: number): Promise<number>;
}
