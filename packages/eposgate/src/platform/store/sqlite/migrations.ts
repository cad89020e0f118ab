// Schema changes by name, applied once each in array order inside one transaction each.
// Append, never edit: a name that has run is never run again. Each area of the platform owns its
// own entries, so independent changes do not fight over a version number.
import { CALL_BATCHES_DDL, CALLS_DB_DDL, KEYS_INTEGRATIONS_DDL, TESTER_FLOW_COLUMNS, TESTER_FLOW_INDEXES, callsTable, deliveriesDdl, DELIVERY_FILTER_INDEXES, eposEventsTable, outboxColumns, tenantSeqsTable, integrationHistoryTable } from '../ddl.ts';

export interface Migration {
  name: string;
  sql: string;
}

/** A trigger body: the tenant of `row` (the trigger's NEW or OLD) gets its oldest pending row as head again. */
function rebuildHead(row: 'NEW' | 'OLD'): string {
  return `BEGIN
       DELETE FROM event_outbox_heads WHERE account_id = ${row}.account_id AND env = ${row}.env;
       INSERT INTO event_outbox_heads (account_id, env, seq, next_attempt_at)
         SELECT account_id, env, seq, next_attempt_at FROM event_outbox
         WHERE account_id = ${row}.account_id AND env = ${row}.env AND status = 'pending' ORDER BY seq LIMIT 1;
     END;`;
}

export const MIGRATIONS: Migration[] = [
  {
    name: '001-keys-integrations',
    sql: KEYS_INTEGRATIONS_DDL,
  },
  {
    // src/platform/events: the outbox of events for EPOSes, and the events EPOSes submit.
    name: 'events-001-outbox-epos-events',
    sql: `CREATE TABLE event_outbox (
       ${outboxColumns('INTEGER', "'pending','delivered','failed','skipped'")}
       PRIMARY KEY (account_id, env, seq),
       UNIQUE (account_id, env, id)
     );
     CREATE INDEX event_outbox_pending ON event_outbox(status, account_id, env, seq);
     CREATE INDEX event_outbox_status ON event_outbox(account_id, env, status, seq);
     ${eposEventsTable('INTEGER')}`,
  },
  {
    // src/platform/tester: one row per flow run, its steps as JSON.
    name: 'tester-001-flows',
    sql: `CREATE TABLE tester_flows (
       ${TESTER_FLOW_COLUMNS}
     );
     ${TESTER_FLOW_INDEXES}`,
  },
  {
    // src/platform/auth: revocations made by another process are looked up by time.
    name: 'keys-002-revoked-index',
    sql: 'CREATE INDEX api_keys_revoked ON api_keys(revoked_at) WHERE revoked_at IS NOT NULL;',
  },
  {
    // src/platform/events: the `expired` status (the CHECK changes, so the outbox is rebuilt), a
    // created_at column retention can index, a head table so the worker finds each tenant's oldest
    // pending row without scanning the pending ones, and per-tenant sequences that outlive pruning.
    name: 'events-002-expiry-heads-retention',
    sql: `CREATE TABLE event_outbox_new (
       ${outboxColumns('INTEGER', "'pending','delivered','failed','skipped','expired'")}
       created_at INTEGER NOT NULL,
       PRIMARY KEY (account_id, env, seq),
       UNIQUE (account_id, env, id)
     );
     INSERT INTO event_outbox_new (account_id, env, seq, id, type, payload, status, reason, attempts, next_attempt_at,
         last_attempt_at, delivered_at, last_error, key_id, software_house_id, reseller_id, created_at)
       SELECT account_id, env, seq, id, type, payload, status, reason, attempts, next_attempt_at,
         last_attempt_at, delivered_at, last_error, key_id, software_house_id, reseller_id,
         COALESCE(CAST(ROUND((julianday(json_extract(payload, '$.createdAt')) - 2440587.5) * 86400000) AS INTEGER), next_attempt_at)
       FROM event_outbox ORDER BY rowid;
     DROP TABLE event_outbox;
     ALTER TABLE event_outbox_new RENAME TO event_outbox;
     CREATE INDEX event_outbox_status ON event_outbox(account_id, env, status, seq);
     CREATE INDEX event_outbox_age ON event_outbox(status, created_at);

     -- One row per tenant with a pending event: its oldest one (seq) and when that is next due.
     CREATE TABLE event_outbox_heads (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       seq INTEGER NOT NULL,
       next_attempt_at INTEGER NOT NULL,
       PRIMARY KEY (account_id, env)
     );
     CREATE INDEX event_outbox_heads_due ON event_outbox_heads(next_attempt_at);
     INSERT INTO event_outbox_heads (account_id, env, seq, next_attempt_at)
       SELECT o.account_id, o.env, o.seq, o.next_attempt_at FROM event_outbox o
       JOIN (SELECT account_id, env, MIN(seq) AS seq FROM event_outbox WHERE status = 'pending' GROUP BY account_id, env) m
         ON m.account_id = o.account_id AND m.env = o.env AND m.seq = o.seq;
     -- Kept by triggers, so every outbox write (whoever makes it) moves the head in its own transaction.
     CREATE TRIGGER event_outbox_head_insert AFTER INSERT ON event_outbox WHEN NEW.status = 'pending'
     BEGIN
       INSERT OR IGNORE INTO event_outbox_heads (account_id, env, seq, next_attempt_at)
         VALUES (NEW.account_id, NEW.env, NEW.seq, NEW.next_attempt_at);
     END;
     CREATE TRIGGER event_outbox_head_update AFTER UPDATE OF status, next_attempt_at ON event_outbox
       WHEN OLD.status = 'pending' OR NEW.status = 'pending'
     ${rebuildHead('NEW')}
     CREATE TRIGGER event_outbox_head_delete AFTER DELETE ON event_outbox WHEN OLD.status = 'pending'
     ${rebuildHead('OLD')}

     -- The last seq handed out per tenant and table: pruning old rows never makes a number come back.
     ${tenantSeqsTable('INTEGER')}
     INSERT INTO tenant_seqs (tbl, account_id, env, last)
       SELECT 'event_outbox', account_id, env, MAX(seq) FROM event_outbox GROUP BY account_id, env;
     INSERT INTO tenant_seqs (tbl, account_id, env, last)
       SELECT 'epos_events', account_id, env, MAX(seq) FROM epos_events GROUP BY account_id, env;
     CREATE INDEX epos_events_age ON epos_events(received_at);`,
  },
  {
    // src/platform/tester: retention finds finished runs by age.
    name: 'tester-002-finished-index',
    sql: 'CREATE INDEX tester_flows_finished ON tester_flows(finished_at) WHERE finished_at IS NOT NULL;',
  },
  {
    // Cluster readiness: an outbox entry leased to the worker (node) delivering it, and the node
    // that runs a tester flow (store.ts: claimDue, inProgress).
    name: 'cluster-001-leases-flow-nodes',
    sql: `ALTER TABLE event_outbox ADD COLUMN lease_owner TEXT;
     ALTER TABLE event_outbox ADD COLUMN lease_until INTEGER;
     ALTER TABLE tester_flows ADD COLUMN node TEXT;`,
  },
  {
    // src/platform/registry: every change of a registration, for GET /epos/integrations/history.
    name: 'integrations-002-history',
    sql: integrationHistoryTable('INTEGER'),
  },
  {
    // GET /admin/tenants: tenants in (account, env) order with their live keys, from the index alone.
    name: 'ops-001-api-keys-tenant-index',
    sql: 'CREATE INDEX api_keys_tenant ON api_keys(account_id, env, revoked_at);',
  },
  {
    // src/platform/events: delivery attempts, the tenant's pause, re-queue times (docs/events.md,
    // "Deliveries"). An event's attempts go with it when retention deletes it.
    name: 'events-003-attempts',
    sql: `${deliveriesDdl('INTEGER')}
     CREATE TRIGGER event_attempts_with_event AFTER DELETE ON event_outbox
     BEGIN
       DELETE FROM event_attempts WHERE account_id = OLD.account_id AND env = OLD.env AND event_id = OLD.id;
     END;`,
  },
  {
    // src/platform/calllog: every EPOS call, its bodies redacted and capped (docs/call-log.md).
    name: 'calls-001-call-log',
    sql: callsTable('INTEGER'),
  },
  {
    // src/platform/calllog: the call log moved to its own file, calls.db (CALL_LOG_MIGRATIONS below;
    // docs/call-log.md, "Storage"). Calls recorded before are not carried over.
    name: 'calls-002-own-file',
    sql: "DROP TABLE calls; DELETE FROM tenant_seqs WHERE tbl = 'calls';",
  },
  {
    // GET /epos/events/deliveries: the type and time filters seek their rows instead of scanning
    // the tenant's outbox (the status filter had event_outbox_status already).
    name: 'events-004-delivery-filters',
    sql: DELIVERY_FILTER_INDEXES,
  },
];

/** The migrations of calls.db, the call log's own file. */
export const CALL_LOG_MIGRATIONS: Migration[] = [
  {
    name: 'calls-001-own-file',
    sql: CALLS_DB_DDL,
  },
  {
    // One row per tenant per batch written, not per call (store/sqlite/callBatch.ts).
    name: 'calls-002-batches',
    sql: CALL_BATCHES_DDL,
  },
];
