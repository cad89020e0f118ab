// The persistence the platform needs, as interfaces. SQLite is the embedded default; a PostgreSQL
// implementation can follow without touching callers, which is why every method is async.
import type { Environment, Tenant } from '../tenant.ts';
import type { FlowStatus, StepRecord, StoredFlow } from '../tester/types.ts';

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

export interface KeyStore {
  insert(rec: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  list(filter?: { accountId?: string }): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when no such key (or already revoked). */
  revoke(id: string, at: string): Promise<boolean>;
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

export interface IntegrationStore {
  get(tenant: Tenant, transport: TransportKind): Promise<StoredIntegration | undefined>;
  /** Replaces the tenant's integration of that transport in one transaction. */
  put(integration: StoredIntegration): Promise<void>;
  delete(tenant: Tenant, transport: TransportKind): Promise<void>;
}

export interface Store {
  readonly keys: KeyStore;
  readonly integrations: IntegrationStore;
  readonly flows: FlowStore;
  close(): Promise<void>;
}

// ── Tester flows ─────────────────────────────────────────────────────────────────────────────────

export interface FlowStore {
  insert(flow: StoredFlow): Promise<void>;
  update(id: string, change: { status: FlowStatus; steps: StepRecord[]; finishedAt?: string }): Promise<void>;
  /** A flow of this tenant; another tenant's id is undefined. */
  get(tenant: Tenant, id: string): Promise<StoredFlow | undefined>;
  /** Flows of every tenant still marked IN_PROGRESS (a stop cut them short). */
  inProgress(): Promise<StoredFlow[]>;
}
