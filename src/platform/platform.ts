// The composition root: builds the store, services, HTTP server and gateway from options,
// and owns their start and stop.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { KeyService } from './auth/keys.ts';
import { SecretBox } from './auth/secrets.ts';
import { Registry } from './registry/registry.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { buildApp } from './server/app.ts';
import type { RateLimitOptions } from './server/rateLimit.ts';
import { SqliteStore } from './store/sqlite/index.ts';

export interface PlatformOptions {
  dataDir: string;
  port?: number;
  host?: string;
  logger?: Logger;
  /** Largest request body accepted, bytes. */
  bodyLimit?: number;
  rateLimit?: RateLimitOptions;
}

export interface Platform {
  app: FastifyInstance;
  store: SqliteStore;
  keys: KeyService;
  registry: Registry;
  logger: Logger;
  /** Base URL once listening, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  bodyLimit: 1024 * 1024,
  rateLimit: { perSecond: 1000, burst: 2000 },
} as const;

export async function startPlatform(opts: PlatformOptions): Promise<Platform> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  mkdirSync(opts.dataDir, { recursive: true });
  const store = new SqliteStore(opts.dataDir);
  const secrets = SecretBox.load(opts.dataDir);
  const keys = new KeyService(store.keys);
  const registry = new Registry(store.integrations, secrets);

  const app = buildApp({
    logger,
    keys,
    bodyLimit: opts.bodyLimit ?? DEFAULTS.bodyLimit,
    rateLimit: opts.rateLimit ?? DEFAULTS.rateLimit,
  });
  integrationRoutes(app, registry);

  try {
    await app.listen({ port: opts.port ?? DEFAULTS.port, host: opts.host ?? DEFAULTS.host });
  } catch (err) {
    await store.close();
    throw err;
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
  let closed = false;
  return {
    app, store, keys, registry, logger, url, port: addr.port,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await store.close();
    },
  };
}
