import { dataFile, directWriter, groupCommitWriter, openDb } from "./db.js";
import { SqliteEposEventStore, SqliteOutboxStore } from "./events.js";
import { SqliteFlowStore } from "./flows.js";
import { SqliteIntegrationStore } from "./integrations.js";
import { SqliteKeyStore } from "./keys.js";
import { MIGRATIONS } from "./migrations.js";
export class SqliteStore {
    db;
    writer;
    keys;
    integrations;
    flows;
    outbox;
    eposEvents;
    constructor(dataDir, opts = {}) {
        const durability = opts.durability ?? 'full';
        this.db = openDb(dataFile(dataDir, 'platform.db'), MIGRATIONS, durability);
        this.writer = durability === 'full' ? groupCommitWriter(this.db, opts.groupCommit) : directWriter();
        this.keys = new SqliteKeyStore(this.db, this.writer);
        this.integrations = new SqliteIntegrationStore(this.db, this.writer);
        this.flows = new SqliteFlowStore(this.db, this.writer);
        this.outbox = new SqliteOutboxStore(this.db, this.writer);
        this.eposEvents = new SqliteEposEventStore(this.db, this.writer);
    }
    async close() {
        if (!this.db.open)
            return;
        this.writer.flush();
        this.db.close();
    }
}
