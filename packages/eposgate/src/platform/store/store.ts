// The persistence the platform needs, as interfaces. SQLite is the embedded default, PostgreSQL the
// cluster store (several nodes share it); callers see only these interfaces (open.ts picks one).
import type { Environment, Tenant } from '../tenant.ts';
import type { FlowStatus, StepRecord, StoredFlow } from '../tester/records.ts';

/** A store URL that names no store we can open (bad scheme, schema name, syntax). */
export class StoreUrlError extends Error {}

export interface ApiKeyRecord {
  id: string;
  accountId: string;
  env: Environment;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  hash: string;
  /** First characters of the key, so an operator can tell keys apart. */
  hint: string;
  label?: string;
  createdAt: string;
  revokedAt?: string;
}

/** A tenant as the keys know it (GET /admin/tenants): any account/env with a key, live or revoked. */
export interface TenantSummary extends Tenant {
  /** Live (not revoked) keys. */
  keys: number;
}

export interface TenantQuery {
  /** Case-insensitive substring of the account id. */
  search?: string;
  /** Keyset paging: tenants after this one in (accountId, env) order. */
  after?: Tenant;
  limit: number;
}

export interface KeyStore {
  insert(rec: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  list(filter?: { accountId?: string }): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when no such key (or already revoked). */
  revoke(id: string, at: string): Promise<boolean>;
  /** Keys revoked at or after `since` (ISO time), by any process. */
  revokedSince(since: string): Promise<{ id: string; revokedAt: string }[]>;
  /** Tenants with at least one key, ordered by accountId then env (byte order), from an index. */
  tenants(q: TenantQuery): Promise<TenantSummary[]>;
  /** Whether the tenant has a key, live or revoked. */
  tenantExists(t: Tenant): Promise<boolean>;
}

export type TransportKind = 'ws' | 'rest';

export interface StoredCapability {
  name: string;
  version: string;
  updatedAt: string;
}

export interface StoredRestTarget {
  /** The URL as registered, shown back on GET. */
  url: string;
  /** Base the catalogue paths are appended to (derived from `url`). */
  baseUrl: string;
  username: string;
  /** Encrypted with the platform secret (see secrets.ts). */
  passwordEnc: string;
}

export interface StoredIntegration {
  tenant: Tenant;
  transport: TransportKind;
  createdAt: string;
  capabilities: StoredCapability[];
  rest?: StoredRestTarget;
  softwareHouseId: string;
  resellerId?: string;
}

/**
 * One change of a tenant's registration, as the history keeps it. Never the REST password: only
 * the URL and who made the change.
 */
export interface RegistrationChange {
  tenant: Tenant;
  /** Per-tenant order, from 1 (the history's id and cursor); assigned by the store. */
  seq: number;
  at: string;
  transport: TransportKind;
  /** The whole list after the change ([] when the registration was removed). */
  capabilities: string[];
  added: string[];
  dropped: string[];
  url?: string;
  softwareHouseId: string;
  resellerId?: string;
  keyId: string;
  keyHint?: string;
}

export interface IntegrationStore {
  get(tenant: Tenant, transport: TransportKind): Promise<StoredIntegration | undefined>;
  /**
   * Replaces the tenant's integration of that transport in one transaction; with `change`, the
   * history row is appended in the same transaction (its seq is answered).
   */
  put(integration: StoredIntegration, change?: Omit<RegistrationChange, 'seq'>): Promise<number | undefined>;
  /** Removes it; with `change`, appends the history row in the same transaction. */
  delete(tenant: Tenant, transport: TransportKind, change?: Omit<RegistrationChange, 'seq'>): Promise<number | undefined>;
  /** The tenant's history, newest first, seq below `before` when given. */
  history(tenant: Tenant, q: { before?: number; limit: number }): Promise<RegistrationChange[]>;
  /** Retention: deletes up to `limit` history rows made before `before` (epoch ms). */
  pruneHistoryOlder(before: number, limit: number): Promise<number>;
  /** Retention: deletes up to `limit` history rows that are not among their tenant's last `keep`. */
  pruneHistoryBeyond(keep: number, limit: number): Promise<number>;
  /** Every integration (both transports) of the given tenants: one query for a page of them. */
  ofTenants(tenants: readonly Tenant[]): Promise<StoredIntegration[]>;
  /**
   * The capability names any tenant registered, each once, from at most `lists` distinct capability
   * lists (tenants mostly register the same few): what a starting platform compiles ahead.
   */
  capabilityNames(lists: number): Promise<string[]>;
}

export interface Store {
  readonly keys: KeyStore;
  readonly integrations: IntegrationStore;
  readonly flows: FlowStore;
  readonly outbox: OutboxStore;
  readonly eposEvents: EposEventStore;
  /** The cheapest query the store answers: rejects when the store is closed or unreachable (GET /readyz). */
  ping(): Promise<void>;
  readonly calls: CallStore;
  close(): Promise<void>;
  /**
   * Drops the connections at once: for a drain whose close() did not finish in time (the store
   * stopped answering). Queries still in flight fail; what was acknowledged is already committed.
   */
  abort(): void;
}

// ── Events (src/platform/events) ─────────────────────────────────────────────────────────────────

/** Where an event raised for an EPOS stands. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped' | 'expired';

/** The statuses an entry ends in: retention may prune these, never a pending one. */
export const DONE_STATUSES: readonly DeliveryStatus[] = ['delivered', 'failed', 'skipped', 'expired'];

export interface DeliveryError {
  code: string;
  message: string;
  at: string;
  /** The EPOSError the EPOS answered, when it answered one. */
  eposError?: unknown;
}

/** One row of the durable outbox: an Event for the tenant's EPOS and how its delivery went. */
export interface OutboxEntry {
  tenant: Tenant;
  /** Per-tenant creation order, from 1. */
  seq: number;
  /** The Event exactly as it is delivered (`id`, `accountId`, `event`, `data`, `createdAt`). */
  event: { id: string; accountId: string; event: string; data: Record<string, unknown>; createdAt: string };
  status: DeliveryStatus;
  /** Why it is skipped, failed or expired (`not-registered`, `max-attempts`, `rejected`, `ttl`). */
  reason?: string;
  /** Calls that reached for the EPOS (waiting for a socket that is not there does not count). */
  attempts: number;
  /** Epoch ms when a pending entry is next tried. */
  nextAttemptAt: number;
  lastAttemptAt?: string;
  deliveredAt?: string;
  lastError?: DeliveryError;
  /** Set while a worker (node) holds the entry: claimDue gave it out until `until` (epoch ms). */
  lease?: { owner: string; until: number };
  /** When it was last queued again by hand (resend, replay): retention ages count from then. ISO. */
  requeuedAt?: string;
  raisedBy: { keyId: string; softwareHouseId: string; resellerId?: string };
}

export type OutboxChange = Partial<Pick<OutboxEntry, 'status' | 'reason' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'deliveredAt' | 'lastError'>>;

/** One call made to deliver an event (GET /epos/events/deliveries/{id}, attemptLog). */
export interface DeliveryAttempt {
  at: string;
  outcome: 'delivered' | 'failed';
  /** Absent when the call never got as far as a transport (not registered any more). */
  transport?: TransportKind;
  /** The node that made the call. */
  node: string;
  latencyMs?: number;
  error?: { code: string; message: string };
}

/** Which of a tenant's outbox entries a list or a replay means. `from` inclusive, `to` exclusive, epoch ms of the raise. */
export interface DeliveryFilter {
  type?: string;
  statuses?: readonly DeliveryStatus[];
  from?: number;
  to?: number;
}

/** A tenant whose deliveries the worker no longer attempts, until resumed by hand. */
export interface DeliveryPause {
  since: string;
  reason: string;
}

export interface OutboxStore {
  /** Adds the entry unless the tenant already has one with that event id; returns the stored one. */
  insert(entry: Omit<OutboxEntry, 'seq'>): Promise<{ entry: OutboxEntry; created: boolean }>;
  get(tenant: Tenant, id: string): Promise<OutboxEntry | undefined>;
  /** The tenant's entries after a seq, oldest first. */
  list(tenant: Tenant, q: { status?: DeliveryStatus; after?: number; limit: number }): Promise<OutboxEntry[]>;
  /** For each tenant its oldest pending entry, when that one is due at `now`. */
  dueHeads(now: number, limit: number): Promise<OutboxEntry[]>;
  /**
   * Takes up to `limit` tenants' oldest pending entries that are due at `now` and not leased (or
   * whose lease ran out), atomically: each comes back leased to `owner` until `now + leaseMs`, and is
   * not due before then, so no other worker (node) takes it meanwhile. A tenant's later entries wait
   * behind its head, so its events keep their order. `update` ends the lease. Paused tenants are left out.
   */
  claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<OutboxEntry[]>;
  /**
   * Ends the leases still running at `now` (only `owner`'s when given) and makes those entries due
   * at once: their attempts died with the process that held them (a platform starting on its own
   * locked data dir, or a cluster node restarting under its own id). Returns how many.
   */
  releaseLeases(now: number, owner?: string): Promise<number>;
  /** Earliest nextAttemptAt later than `after` among the tenants' oldest pending entries. */
  nextDueAt(after: number): Promise<number | undefined>;
  /**
   * Changes a pending entry. Once an entry left `pending` (expired by retention meanwhile) only a
   * change to `delivered` still lands: the EPOS did get it. Ends the entry's lease (the attempt is
   * over). Returns whether a row changed.
   */
  update(tenant: Tenant, id: string, change: OutboxChange, attempt?: { record: DeliveryAttempt; keep: number }): Promise<boolean>;
  // (`attempt`: the call this change concludes, logged with the event in the same write, whether or
  // not the change lands; only the event's last `keep` attempts are kept. A change to `delivered`
  // also ends the tenant's run of dead letters.)
  /** The event's logged attempts, newest first. */
  attempts(tenant: Tenant, id: string, limit: number): Promise<DeliveryAttempt[]>;
  /** The tenant's entries matching `filter` with seq below `before`, newest (highest seq) first. */
  deliveries(tenant: Tenant, filter: DeliveryFilter, q: { before?: number; limit: number }): Promise<OutboxEntry[]>;
  /**
   * Queues finished entries again (`id`: that one; else up to `limit` matching `filter`, oldest
   * first), each as the tenant's newest: a new seq, `pending`, due at `now`, attempts from 0, the
   * last outcome cleared. Pending entries are never touched. Returns the entries as queued.
   */
  requeue(tenant: Tenant, which: { id: string } | DeliveryFilter, now: number, limit: number): Promise<OutboxEntry[]>;
  /**
   * The tenant's event was dead-lettered (max attempts): counts it, and pauses the tenant with
   * `pause` once `pauseAfter` came in a row (0: never). Returns the pause in force, if any.
   */
  deadLettered(tenant: Tenant, pauseAfter: number, pause: DeliveryPause): Promise<DeliveryPause | undefined>;
  /** The tenant's pause, if paused. claimDue hands out no entry of a paused tenant. */
  pauseOf(tenant: Tenant): Promise<DeliveryPause | undefined>;
  /** Pauses the tenant (an existing pause is kept); returns the pause in force. */
  pause(tenant: Tenant, p: DeliveryPause): Promise<DeliveryPause>;
  /** Lifts the pause, clears the run of dead letters, makes every pending entry due at `now`; returns how many are pending. */
  resume(tenant: Tenant, now: number): Promise<number>;
  /** Makes every pending entry of the tenant due at `now` (a leased one keeps its lease); returns how many. */
  makeDue(tenant: Tenant, now: number): Promise<number>;
  /** Retention: marks up to `limit` pending entries created before `before` (epoch ms) `expired`, reason `ttl`. */
  expirePending(before: number, lastError: DeliveryError, limit: number): Promise<number>;
  /** Retention: deletes up to `limit` finished entries (DONE_STATUSES) created before `before` (epoch ms). */
  pruneDone(before: number, limit: number): Promise<number>;
  /** Retention: deletes up to `limit` finished entries that are not among their tenant's last `keep` events. */
  pruneDoneBeyond(keep: number, limit: number): Promise<number>;
  /** Entries pending and failed, over all tenants (the metrics' gauges; counted from an index on status). */
  countByStatus(): Promise<{ pending: number; failed: number }>;
}

/** An event an EPOS submitted (POST /epos/events), as stored. */
export interface EposEventRecord {
  tenant: Tenant;
  /** Per-tenant sequence number, from 1: the cursor of lists and the SSE id. */
  seq: number;
  eventType: string;
  event: Record<string, string>;
  receivedAt: string;
  keyId: string;
  softwareHouseId: string;
  resellerId?: string;
}

export interface EposEventStore {
  append(rec: Omit<EposEventRecord, 'seq'>): Promise<EposEventRecord>;
  /** The tenant's events with seq > after, oldest first. */
  list(tenant: Tenant, after: number, limit: number): Promise<EposEventRecord[]>;
  /** Retention: deletes up to `limit` events received before `before` (epoch ms). */
  pruneOlder(before: number, limit: number): Promise<number>;
  /** Retention: deletes up to `limit` events that are not among their tenant's last `keep`. */
  pruneBeyond(keep: number, limit: number): Promise<number>;
}

// ── Tester flows ─────────────────────────────────────────────────────────────────────────────────

export interface FlowOwnerFilter {
  only?: string;
  notIn?: readonly string[];
}

/** A finished flow run, without its steps. */
export interface FinishedRun {
  flowID: string;
  /** The catalogue name it was started with. */
  flow: string;
  status: Exclude<FlowStatus, 'IN_PROGRESS'>;
  finishedAt: string;
}

export interface FlowStore {
  insert(flow: StoredFlow): Promise<void>;
  update(id: string, change: { status: FlowStatus; steps: StepRecord[]; finishedAt?: string }): Promise<void>;
  /** A flow of this tenant; another tenant's id is undefined. */
  get(tenant: Tenant, id: string): Promise<StoredFlow | undefined>;
  /**
   * Flows of every tenant still marked IN_PROGRESS (a stop cut them short). `owner` narrows them by
   * the node that ran them: `only` that node's, or those of nodes `notIn` the list (gone nodes; a
   * flow stored without a node counts as gone).
   */
  inProgress(owner?: FlowOwnerFilter): Promise<StoredFlow[]>;
  /** Per flow (catalogue name) the tenant's latest finished run: what readiness reads (no steps). */
  latestFinished(tenant: Tenant): Promise<FinishedRun[]>;
  /** Retention: deletes up to `limit` finished runs (never IN_PROGRESS) that finished before `before` (epoch ms). */
  pruneFinished(before: number, limit: number): Promise<number>;
  /** Retention: deletes up to `limit` finished runs beyond each tenant's newest `keep` finished ones. */
  pruneFinishedBeyond(keep: number, limit: number): Promise<number>;
}

// ── Call log (src/platform/calllog) ──────────────────────────────────────────────────────────────

export type CallSource = 'data-api' | 'tester' | 'events';

/** One EPOS call as the call log keeps it; bodies are already redacted and capped JSON text. */
export interface CallRecord {
  /** Opaque, unique across tenants. */
  id: string;
  tenant: Tenant;
  /** When the call began, epoch ms. */
  atMs: number;
  capability: string;
  transport: TransportKind | null;
  node: string;
  source: CallSource;
  status: 'ok' | 'error';
  errorCode?: string;
  latencyMs: number;
  requestor: Record<string, string>;
  /** JSON text of the params; when `truncated`, possibly a cut excerpt. */
  request: string;
  /** JSON text of the result (ok) or the error (`{ code, message, ... }`); when `truncated`, either may be a cut excerpt. */
  response: string;
  truncated: boolean;
}

/** A stored call: `seq` numbers a tenant's calls in the order they were written. */
export interface StoredCall extends CallRecord { seq: number }

export interface CallQuery {
  capability?: string;
  status?: 'ok' | 'error';
  errorCode?: string;
  /** Epoch ms, both inclusive. */
  from?: number;
  to?: number;
  /** Rows strictly older than this (atMs, seq) position: the last row of the previous page. */
  before?: { atMs: number; seq: number };
  limit: number;
}

/** A CallRecord whose `response` may still be raw (CallStore.insertRaw). */
export interface RawCall extends CallRecord {
  /** `response` is the answer's JSON text, not yet redacted; `truncated` speaks for the request only. */
  rawResponse: boolean;
}

/** What a stats answer is computed from. */
export interface CallPoint { atMs: number; capability: string; status: 'ok' | 'error'; latencyMs: number }

export interface CallStore {
  /** Writes the calls in one transaction (each tenant's seqs handed out in order). */
  insertMany(calls: readonly CallRecord[]): Promise<void>;
  /**
   * insertMany() for calls whose `response`, where `rawResponse` says so, is still the answer's JSON
   * text as the caller got it (no longer than `bodyChars`): the store redacts it (redactedJsonText)
   * before it keeps it, off the event loop (SQLite: on its writer thread), and marks the call
   * truncated if redaction cut it. Optional: the recorder finishes the calls itself for a store
   * without it.
   */
  insertRaw?(calls: readonly RawCall[], bodyChars: number): Promise<void>;
  get(tenant: Tenant, id: string): Promise<StoredCall | undefined>;
  /** Newest first: atMs then seq descending. */
  list(tenant: Tenant, q: CallQuery): Promise<StoredCall[]>;
  /** Up to `limit` of the newest calls in [from, to] (epoch ms), newest first. */
  points(tenant: Tenant, q: { from: number; to: number; capability?: string; limit: number }): Promise<CallPoint[]>;
  /**
   * When each of `tenants` (a page of the admin's list, at most 200) made its last recorded call,
   * epoch ms, keyed by tenantKey; a tenant with no call in the log is absent. One index seek per tenant.
   */
  lastCallAt(tenants: readonly Tenant[]): Promise<Map<string, number>>;
  /**
   * Retention: deletes up to `limit` calls made before `before` (epoch ms). A store that keeps calls
   * in batches may delete a batch wholly due at once, passing `limit` by less than a batch.
   */
  pruneOlder(before: number, limit: number): Promise<number>;
  /** Retention: deletes up to `limit` calls that are not among their tenant's last `keep` (batches as above). */
  pruneBeyond(keep: number, limit: number): Promise<number>;
}
