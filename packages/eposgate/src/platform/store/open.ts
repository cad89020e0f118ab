// Which store a platform (or a CLI command) uses, from a URL: `sqlite:./data` (or a bare directory,
// as --data always took) is the embedded store in that data directory; `postgres://…` is the
// cluster store several nodes share (docs/cluster.md).
import { StoreUrlError, type Store } from './store.ts';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/index.ts';
import type { PostgresStoreOptions } from './postgres/index.ts';
import { redact } from './postgres/redact.ts';

export type StoreLocation =
  | { kind: 'sqlite'; dataDir: string }
  | { kind: 'postgres'; url: string };

export interface OpenStoreOptions {
  sqlite?: SqliteStoreOptions;
  postgres?: PostgresStoreOptions;
}

export function parseStoreUrl(url: string): StoreLocation {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  if (/^sqlite:/i.test(url)) {
    const dataDir = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!dataDir) throw new StoreUrlError('sqlite: needs a data directory, e.g. sqlite:./data');
    return { kind: 'sqlite', dataDir };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme) throw new StoreUrlError(`database URL ${redact(url)}: unknown scheme "${scheme}"; use sqlite:DIR or postgres://user@host:5432/db`);
  return { kind: 'sqlite', dataDir: url };
}

/** Opens the store `url` names (PostgreSQL: connected and migrated). */
export async function openStore(url: string | StoreLocation, opts: OpenStoreOptions = {}): Promise<Store> {
  const where = typeof url === 'string' ? parseStoreUrl(url) : url;
  if (where.kind === 'sqlite') return new SqliteStore(where.dataDir, opts.sqlite);
  // Loaded only when asked for: the driver costs every process that never uses it start-up time.
  const { PostgresStore } = await import('./postgres/index.ts');
  return PostgresStore.open(where.url, opts.postgres);
}

/** The location a CLI command was given: --database (or EPOSGATE_DATABASE_URL) wins over --data. */
export function storeLocation(o: { database?: string; data?: string }, env = process.env): StoreLocation {
  const url = o.database ?? env.EPOSGATE_DATABASE_URL;
  return url ? parseStoreUrl(url) : { kind: 'sqlite', dataDir: o.data ?? './data' };
}
