// The cluster store's schema, by name, like the SQLite one (append, never edit). Several nodes may
// start at once on a fresh database: migrate() holds an advisory lock for the whole run, so one node
// applies them and the others, once they get the lock, find them applied.
import { DONE_STATUSES } from '../store.ts';
import { CALLS_FEWER_INDEXES_PG, KEYS_INTEGRATIONS_DDL, TESTER_FLOW_COLUMNS, TESTER_FLOW_INDEXES, callsTable, deliveriesDdl, DELIVERY_FILTER_INDEXES, eposEventsTable, outboxColumns, tenantSeqsTable, integrationHistoryTable } from '../ddl.ts';
import type { Migration } from '../sqlite/migrations.ts';
import type { Pg } from './db.ts';

const STATUSES = ['pending', ...DONE_STATUSES].map((s) => `'${s}'`).join(', ');

// Times the platform compares as numbers are BIGINT epoch ms; ISO strings stay TEXT, as in SQLite,
// so both stores compare them the same way. `ord` is the insertion order (SQLite's rowid).
export const MIGRATIONS: Migration[] = [
  {
    name: '001-cluster-schema',
    sql: `${KEYS_INTEGRATIONS_DDL}
     CREATE INDEX api_keys_revoked ON api_keys(revoked_at) WHERE revoked_at IS NOT NULL;
     ${tenantSeqsTable('BIGINT')}
     CREATE TABLE event_outbox (
       ord BIGSERIAL NOT NULL,
       ${outboxColumns('BIGINT', STATUSES)}
       created_at BIGINT NOT NULL,
       lease_owner TEXT,
       lease_until BIGINT,
       PRIMARY KEY (account_id, env, seq),
       UNIQUE (account_id, env, id)
     );
     -- Each tenant's oldest pending row is the first entry of its range here (DISTINCT ON).
     CREATE INDEX event_outbox_pending ON event_outbox(account_id, env, seq) WHERE status = 'pending';
     CREATE INDEX event_outbox_status ON event_outbox(account_id, env, status, seq);
     CREATE INDEX event_outbox_age ON event_outbox(status, created_at);
     ${eposEventsTable('BIGINT')}
     CREATE INDEX epos_events_age ON epos_events(received_at);
     CREATE TABLE tester_flows (
       ord BIGSERIAL NOT NULL,
       ${TESTER_FLOW_COLUMNS},
       node TEXT
     );
     ${TESTER_FLOW_INDEXES}
     CREATE INDEX tester_flows_finished ON tester_flows(finished_at) WHERE finished_at IS NOT NULL;`,
  },
  {
    // src/platform/registry: every change of a registration, for GET /epos/integrations/history.
    name: 'integrations-002-history',
    sql: integrationHistoryTable('BIGINT'),
  },
  {
    // GET /admin/tenants: tenants in (account, env) byte order (as SQLite orders them) with their
    // live keys, from the index alone.
    name: 'ops-001-api-keys-tenant-index',
    sql: 'CREATE INDEX api_keys_tenant ON api_keys((account_id COLLATE "C"), env, revoked_at);',
  },
  {
    // src/platform/events: delivery attempts, the tenant's pause, re-queue times (docs/events.md,
    // "Deliveries"). The outbox's deletes take an event's attempts with them (events.ts).
    name: 'events-003-attempts',
    sql: deliveriesDdl('BIGINT'),
  },
  {
    // src/platform/calllog: every EPOS call, its bodies redacted and capped (docs/call-log.md).
    name: 'calls-001-call-log',
    sql: callsTable('BIGINT'),
  },
  {
    // src/platform/calllog: fewer indexes for each insert to update (docs/call-log.md, "Storage").
    name: 'calls-002-fewer-indexes',
    sql: CALLS_FEWER_INDEXES_PG,
  },
  {
    // GET /epos/events/deliveries: the type and time filters seek their rows instead of scanning
    // the tenant's outbox (the status filter had event_outbox_status already).
    name: 'events-004-delivery-filters',
    sql: DELIVERY_FILTER_INDEXES,
  },
];

/** Any fixed number: every eposgate node takes the same lock. */
const MIGRATION_LOCK = 0x6570_6f73;

/** Applies the migrations not yet applied, each once, even when several nodes call this at once. */
export async function migrate(db: Pg, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  await db.tx(async (q) => {
    // Held until this transaction ends: a second node waits here, then sees every migration done.
    await q.rows('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (db.schema) await q.rows(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
    await q.rows('CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((await q.rows<{ name: string }>('SELECT name FROM migrations')).map((r) => r.name));
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await q.rows(m.sql);
      await q.rows('INSERT INTO migrations (name, applied_at) VALUES ($1, $2)', [m.name, new Date().toISOString()]);
    }
  });
}
