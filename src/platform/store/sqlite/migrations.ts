// Schema changes by name, applied once each in array order inside one transaction each.
// Append, never edit: a name that has run is never run again. Each area of the platform owns its
// own entries, so independent changes do not fight over a version number.
export interface Migration {
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    name: '001-keys-integrations',
    sql: `CREATE TABLE api_keys (
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
     );`,
  },
  {
    // src/platform/events: the outbox of events for EPOSes, and the events EPOSes submit.
    name: 'events-001-outbox-epos-events',
    sql: `CREATE TABLE event_outbox (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       seq INTEGER NOT NULL,
       id TEXT NOT NULL,
       type TEXT NOT NULL,
       payload TEXT NOT NULL,
       status TEXT NOT NULL CHECK (status IN ('pending','delivered','failed','skipped')),
       reason TEXT,
       attempts INTEGER NOT NULL DEFAULT 0,
       next_attempt_at INTEGER NOT NULL,
       last_attempt_at TEXT,
       delivered_at TEXT,
       last_error TEXT,
       key_id TEXT NOT NULL,
       software_house_id TEXT NOT NULL,
       reseller_id TEXT,
       PRIMARY KEY (account_id, env, seq),
       UNIQUE (account_id, env, id)
     );
     CREATE INDEX event_outbox_pending ON event_outbox(status, account_id, env, seq);
     CREATE INDEX event_outbox_status ON event_outbox(account_id, env, status, seq);
     CREATE TABLE epos_events (
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       seq INTEGER NOT NULL,
       event_type TEXT NOT NULL,
       event TEXT NOT NULL,
       received_at TEXT NOT NULL,
       key_id TEXT NOT NULL,
       software_house_id TEXT NOT NULL,
       reseller_id TEXT,
       PRIMARY KEY (account_id, env, seq)
     );`,
  },
  {
    // src/platform/tester: one row per flow run, its steps as JSON.
    name: 'tester-001-flows',
    sql: `CREATE TABLE tester_flows (
       id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL,
       env TEXT NOT NULL,
       flow TEXT NOT NULL,
       flow_name TEXT NOT NULL,
       params TEXT NOT NULL,
       status TEXT NOT NULL CHECK (status IN ('IN_PROGRESS','SUCCESS','FAILURE','TIMED_OUT')),
       started_at TEXT NOT NULL,
       finished_at TEXT,
       steps TEXT NOT NULL
     );
     CREATE INDEX tester_flows_tenant ON tester_flows(account_id, env, started_at);
     CREATE INDEX tester_flows_status ON tester_flows(status);`,
  },
  {
    // src/platform/auth: revocations made by another process are looked up by time.
    name: 'keys-002-revoked-index',
    sql: 'CREATE INDEX api_keys_revoked ON api_keys(revoked_at) WHERE revoked_at IS NOT NULL;',
  },
];
