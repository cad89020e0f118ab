// Table definitions the SQLite and PostgreSQL stores share, so the two schemas cannot drift apart.
// Each piece is spliced into migrations that have run: the text they produce must never change.
// `int` is the store's integer for sequence numbers and epoch-ms times (INTEGER / BIGINT).
type Int = 'INTEGER' | 'BIGINT';

/** API keys and registrations: the same DDL in SQLite and PostgreSQL. Never edit: it has run. */
export const KEYS_INTEGRATIONS_DDL = `CREATE TABLE api_keys (
       id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL,
       env TEXT NOT NULL CHECK (env IN ('sandbox','production')),
       hash TEXT NOT NULL UNIQUE,
       hint TEXT NOT NULL,
       label TEXT,
       created_at TEXT NOT NULL,
       revoked_at TEXT
     );
     CREATE INDEX api_keys_account ON api_keys(account_id);
     CREATE TABLE integrations (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       transport TEXT NOT NULL CHECK (transport IN ('ws','rest')),
       created_at TEXT NOT NULL,
       capabilities TEXT NOT NULL,
       rest_url TEXT,
       rest_base_url TEXT,
       rest_username TEXT,
       rest_password_enc TEXT,
       software_house_id TEXT NOT NULL,
       reseller_id TEXT,
       PRIMARY KEY (account_id, env, transport)
     );`;

/** The outbox's columns from account_id to reseller_id; `statuses` is the CHECK's quoted list. */
export function outboxColumns(int: Int, statuses: string): string {
  return `account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       seq ${int} NOT NULL,
       id TEXT NOT NULL,
       type TEXT NOT NULL,
       payload TEXT NOT NULL,
       status TEXT NOT NULL CHECK (status IN (${statuses})),
       reason TEXT,
       attempts INTEGER NOT NULL DEFAULT 0,
       next_attempt_at ${int} NOT NULL,
       last_attempt_at TEXT,
       delivered_at TEXT,
       last_error TEXT,
       key_id TEXT NOT NULL,
       software_house_id TEXT NOT NULL,
       reseller_id TEXT,`;
}

/** The events EPOSes submit, numbered per tenant. */
export function eposEventsTable(int: Int): string {
  return `CREATE TABLE epos_events (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       seq ${int} NOT NULL,
       event_type TEXT NOT NULL,
       event TEXT NOT NULL,
       received_at TEXT NOT NULL,
       key_id TEXT NOT NULL,
       software_house_id TEXT NOT NULL,
       reseller_id TEXT,
       PRIMARY KEY (account_id, env, seq)
     );`;
}

/** The last seq handed out per tenant and table. */
export function tenantSeqsTable(int: Int): string {
  return `CREATE TABLE tenant_seqs (
       tbl TEXT NOT NULL,
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       last ${int} NOT NULL,
       PRIMARY KEY (tbl, account_id, env)
     );`;
}

/** A tester flow run's columns from id to steps (PostgreSQL adds ord before and node after). */
export const TESTER_FLOW_COLUMNS = `id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       flow TEXT NOT NULL,
       flow_name TEXT NOT NULL,
       params TEXT NOT NULL,
       status TEXT NOT NULL CHECK (status IN ('IN_PROGRESS','SUCCESS','FAILURE','TIMED_OUT')),
       started_at TEXT NOT NULL,
       finished_at TEXT,
       steps TEXT NOT NULL`;

export const TESTER_FLOW_INDEXES = `CREATE INDEX tester_flows_tenant ON tester_flows(account_id, env, started_at);
     CREATE INDEX tester_flows_status ON tester_flows(status);`;

/**
 * Registration history: one row per change of a tenant's registration, numbered per tenant
 * (tenant_seqs, tbl `integration_history`). Lists as JSON arrays; no password column exists.
 */
export function integrationHistoryTable(int: Int): string {
  return `CREATE TABLE integration_history (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       seq ${int} NOT NULL,
       at TEXT NOT NULL,
       transport TEXT NOT NULL CHECK (transport IN ('ws','rest')),
       capabilities TEXT NOT NULL,
       added TEXT NOT NULL,
       dropped TEXT NOT NULL,
       url TEXT,
       software_house_id TEXT NOT NULL,
       reseller_id TEXT,
       key_id TEXT NOT NULL,
       key_hint TEXT,
       PRIMARY KEY (account_id, env, seq)
     );
     CREATE INDEX integration_history_age ON integration_history(at);`;
}

/**
 * Delivery attempts of outbox events (one row per call made for an event, the last few kept per
 * event), each tenant's delivery state (consecutive dead letters, pause), and when an event was
 * last queued again by hand (retention ages count from then). Migration `events-003-attempts`.
 */
export function deliveriesDdl(int: Int): string {
  return `CREATE TABLE event_attempts (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       event_id TEXT NOT NULL,
       n INTEGER NOT NULL,
       at TEXT NOT NULL,
       outcome TEXT NOT NULL CHECK (outcome IN ('delivered','failed')),
       transport TEXT,
       node TEXT NOT NULL,
       latency_ms INTEGER,
       error_code TEXT,
       error_message TEXT,
       PRIMARY KEY (account_id, env, event_id, n)
     );
     CREATE TABLE event_tenant_state (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       dead_letters INTEGER NOT NULL DEFAULT 0,
       paused_since TEXT,
       paused_reason TEXT,
       PRIMARY KEY (account_id, env)
     );
     ALTER TABLE event_outbox ADD COLUMN requeued_at ${int};`;
}

/** A recorded call's columns from capability to truncated: the same in both call log tables. */
const CALL_COLUMNS = `capability TEXT NOT NULL,
       transport TEXT,
       node TEXT NOT NULL,
       source TEXT NOT NULL,
       status TEXT NOT NULL CHECK (status IN ('ok','error')),
       error_code TEXT,
       latency_ms REAL NOT NULL,
       requestor TEXT NOT NULL,
       request TEXT NOT NULL,
       response TEXT NOT NULL,
       truncated INTEGER NOT NULL,`;

/**
 * The call log (src/platform/calllog). Pages walk (tenant, at_ms, seq) newest first, narrowed by
 * capability or status on their own indexes; retention prunes by at_ms, and by seq per tenant
 * against tenant_seqs. Never edit: it has run.
 */
export function callsTable(int: Int): string {
  return `CREATE TABLE calls (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       seq ${int} NOT NULL,
       id TEXT NOT NULL UNIQUE,
       at_ms ${int} NOT NULL,
       ${CALL_COLUMNS}
       PRIMARY KEY (account_id, env, seq)
     );
     CREATE INDEX calls_tenant_at ON calls(account_id, env, at_ms, seq);
     CREATE INDEX calls_capability ON calls(account_id, env, capability, at_ms, seq);
     CREATE INDEX calls_status ON calls(account_id, env, status, at_ms, seq);
     CREATE INDEX calls_age ON calls(at_ms);`;
}

/**
 * The call log in its own SQLite file (`calls.db`, docs/call-log.md "Storage"): what each insert
 * pays for is kept small. The table is keyed by (tenant, seq) without a rowid (retention by count
 * deletes a key range); pages, stats and retention by age walk (tenant, at_ms, seq); errors have
 * a partial index of their own, which an ok call does not touch. A call is found by id through its
 * time (the id carries it: calllog/ids.ts), so the id needs no index. Each tenant's last seq lives
 * here too, so a batch touches nothing of platform.db.
 */
export const CALLS_DB_DDL = `CREATE TABLE calls (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       seq INTEGER NOT NULL,
       id TEXT NOT NULL,
       at_ms INTEGER NOT NULL,
       ${CALL_COLUMNS}
       PRIMARY KEY (account_id, env, seq)
     ) WITHOUT ROWID;
     CREATE INDEX calls_tenant_at ON calls(account_id, env, at_ms, seq);
     CREATE INDEX calls_errors ON calls(account_id, env, at_ms, seq) WHERE status = 'error';
     CREATE TABLE call_seqs (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       last INTEGER NOT NULL,
       PRIMARY KEY (account_id, env)
     );`;

/**
 * calls.db's calls as batches (store/sqlite/callBatch.ts; docs/call-log.md, "Storage"): one row per
 * tenant per batch written, its calls' heads and bodies as two texts. Every index is paid once per
 * batch, not per call: pages walk (tenant, last_at) newest first and filter on the index alone
 * (first_at for a range or cursor, errors and n for a status); retention by age seeks
 * (tenant, first_at), by count (tenant, first_seq). The calls of the table of one row per call are
 * carried over, 100 to a batch, each with its seq and its bodies in its head. Never edit: it has run.
 */
export const CALL_BATCHES_DDL = `CREATE TABLE call_batches (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       first_seq INTEGER NOT NULL,
       last_seq INTEGER NOT NULL,
       n INTEGER NOT NULL,
       first_at INTEGER NOT NULL,
       last_at INTEGER NOT NULL,
       errors INTEGER NOT NULL,
       heads TEXT NOT NULL,
       bodies TEXT NOT NULL
     );
     CREATE INDEX call_batches_last ON call_batches(account_id, env, last_at, first_at, errors, n);
     CREATE INDEX call_batches_first ON call_batches(account_id, env, first_at);
     CREATE INDEX call_batches_seq ON call_batches(account_id, env, first_seq);
     INSERT INTO call_batches (account_id, env, first_seq, last_seq, n, first_at, last_at, errors, heads, bodies)
       SELECT account_id, env, min(seq), max(seq), count(*), min(at_ms), max(at_ms), sum(status = 'error'),
         json_group_array(json_array(id, at_ms, capability, status = 'error', error_code, CAST(round(latency_ms * 100) AS INTEGER), transport, node, source,
           truncated, requestor, request, response, seq)), ''
       FROM calls GROUP BY account_id, env, (seq - 1) / 100;
     DROP TABLE calls;`;

/**
 * PostgreSQL's calls table loses the indexes inserts paid for and no page needs: by capability
 * (pages filter the tenant's rows by (at_ms, seq)), by status (errors get a partial index) and by
 * age (retention walks each tenant's (at_ms, seq)). Its id and (tenant, seq) keys stay.
 */
export const CALLS_FEWER_INDEXES_PG = `DROP INDEX calls_capability;
     DROP INDEX calls_status;
     DROP INDEX calls_age;
     CREATE INDEX calls_errors ON calls(account_id, env, at_ms, seq) WHERE status = 'error';`;

/**
 * The Deliveries list's filters (docs/events.md): a type page walks (tenant, type, seq) newest first
 * like a status page walks event_outbox_status; a time range seeks (tenant, created_at) and, since
 * that is not seq order, sorts its matches from this index alone (it holds seq, status and type)
 * before reading the page's rows. Migration `events-004-delivery-filters`. Never edit: it has run.
 */
export const DELIVERY_FILTER_INDEXES = `CREATE INDEX event_outbox_type ON event_outbox(account_id, env, type, seq);
     CREATE INDEX event_outbox_created ON event_outbox(account_id, env, created_at, seq, status, type);`;
