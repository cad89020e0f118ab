// The cluster store's connection: one pg.Pool per node, opened from a postgres:// URL. Every query
// goes through `Pg`, which turns "the database is not there" into 503 STORE_UNAVAILABLE; the pool
// drops a broken connection and opens a fresh one on the next query, so a restarted PostgreSQL is
// picked up without restarting the node.
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { PlatformError } from '../../errors.ts';
import { StoreUrlError } from '../store.ts';
import { redact } from './redact.ts';

export { redact };

export interface PostgresStoreOptions {
  /** Connections per node (default 10). */
  poolSize?: number;
  /** How long a query waits for a connection before it answers 503 (default 5 s). */
  connectTimeoutMs?: number;
}

/** Runs queries on the pool or on one transaction's client. */
export interface Queryable {
  rows<T extends QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Rows changed by an INSERT/UPDATE/DELETE. */
  count(sql: string, params?: unknown[]): Promise<number>;
}

// BIGINT (epoch ms, seq numbers) as a JS number: every value the store keeps fits in 2^53.
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => oid === INT8
    ? (v: string) => Number(v)
    : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * `postgres://user@host:port/db?schema=name`: `schema` (ours, not libpq's) puts every table in that
 * schema (created by the first migration), so several platforms or test runs can share a database.
 */
export function poolConfig(url: string, o: PostgresStoreOptions = {}): { config: pg.PoolConfig; schema?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StoreUrlError(`database URL ${redact(url)} is not a URL: use postgres://user:password@host:5432/database`);
  }
  const schema = u.searchParams.get('schema');
  u.searchParams.delete('schema');
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new StoreUrlError(`schema "${schema}" in the database URL must be letters, digits and _ (not starting with a digit)`);
  }
  const config: pg.PoolConfig = {
    connectionString: u.toString(),
    max: o.poolSize ?? 10,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 5_000,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  };
  return schema ? { config, schema } : { config };
}


export class Pg implements Queryable {
  readonly pool: pg.Pool;
  /** The pool's connected clients, for abort(): pg.Pool has no way to drop them at once. */
  private readonly clients = new Set<pg.PoolClient>();
  readonly schema?: string;

  constructor(url: string, o: PostgresStoreOptions = {}) {
    const { config, schema } = poolConfig(url, o);
    this.pool = new pg.Pool(config);
    if (schema) this.schema = schema;
    // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool; without a
    // listener the 'error' event would end the process.
    this.pool.on('error', () => {});
    this.pool.on('connect', (c) => this.clients.add(c));
    this.pool.on('remove', (c) => this.clients.delete(c));
  }

  async rows<T extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return (await this.pool.query<T>(sql, params)).rows;
    } catch (err) {
      throw pgStoreError(err);
    }
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    try {
      return (await this.pool.query(sql, params)).rowCount ?? 0;
    } catch (err) {
      throw pgStoreError(err);
    }
  }

  /** Runs `fn` in one transaction: all its writes commit together or none does. */
  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw pgStoreError(err);
    }
    let broken: Error | undefined;
    // A checked-out client whose connection dies (PostgreSQL restarted, its backend terminated)
    // emits 'error' besides failing its query; pg.Pool listens only while a client is idle, and an
    // 'error' nobody listens to ends the process. The failed query answers the caller.
    const onError = (err: Error) => { broken = err; };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const value = await fn(clientQueryable(client));
      await client.query('COMMIT');
      return value;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (e) {
        broken = e as Error; // the connection is gone: the pool must not hand it out again
      }
      throw pgStoreError(err);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** Waits for the queries in flight, then ends each connection with a goodbye PostgreSQL must answer. */
  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Destroys every connection's socket: their queries fail, the pool forgets them, and a pending
   * close() resolves. A connection still being opened ends by its own timeout (connectTimeoutMs).
   */
  abort(): void {
    for (const c of this.clients) {
      // A client checked out when its socket goes emits 'error' besides failing its query: nobody
      // else listens to it then, and the process would crash on it.
      c.on('error', () => {});
      c.connection.stream.destroy();
    }
    this.clients.clear();
  }
}

function clientQueryable(c: PoolClient): Queryable {
  return {
    rows: async <T extends QueryResultRow>(sql: string, params: unknown[] = []) => (await c.query<T>(sql, params)).rows,
    count: async (sql: string, params: unknown[] = []) => (await c.query(sql, params)).rowCount ?? 0,
  };
}

/**
 * "The database is not there or cannot write" becomes 503 STORE_UNAVAILABLE with the reason; the
 * rest (a constraint, a bug) passes through unchanged.
 */
export function pgStoreError(err: unknown): unknown {
  if (err instanceof PlatformError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  const reason = pgFailure(code, message);
  return reason ? new PlatformError('STORE_UNAVAILABLE', reason, { extra: { cause: code || message } }) : err;
}

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

function pgFailure(code: string, message: string): string | undefined {
  if (NETWORK.has(code) || /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i.test(message)) {
    return `The platform cannot reach its PostgreSQL store (${code || message}); nothing was written. Try again later`;
  }
  // SQLSTATE classes: 08 connection exception, 57P0x shutdown/cannot connect now, 53 insufficient resources.
  // 55000 "not currently accepting connections": connections to the database are switched off (maintenance).
  if (code.startsWith('08') || /^57P0[1-3]$/.test(code) || (code === '55000' && /not currently accepting connections/i.test(message))) {
    return `The platform's PostgreSQL store is restarting or unreachable (SQLSTATE ${code}); nothing was written. Try again later`;
  }
  if (code === '53100') return "The platform's PostgreSQL store is out of disk space; nothing was written. Try again later";
  if (code.startsWith('53')) return `The platform's PostgreSQL store is out of resources (SQLSTATE ${code}); nothing was written. Try again later`;
  if (code === '25006') return "The platform's PostgreSQL store is read-only (a standby?); nothing was written";
  return undefined;
}
