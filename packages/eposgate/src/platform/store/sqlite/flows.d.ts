import type { Tenant } from '../../tenant.ts';
import type { FlowStore } from '../store.ts';
import type { FlowStatus, StepRecord, StoredFlow } from '../../tester/types.ts';
import type { Db, Writer } from './db.ts';
export declare class SqliteFlowStore implements FlowStore {
    private readonly w;
    private readonly q;
    constructor(db: Db, w: Writer);
    insert(f: StoredFlow): Promise<void>;
    update(id: string, c: {
        status: FlowStatus;
        steps: StepRecord[];
        finishedAt?: string;
    }): Promise<void>;
    get(tenant: Tenant, id: string): Promise<StoredFlow | undefined>;
    inProgress(): Promise<StoredFlow[]>;
    pruneFinished(before: number, limit: number): Promise<number>;
    pruneFinishedBeyond(keep: number, limit: number): Promise<number>;
}
