// Starts a real platform on a random port with a real SQLite file in a temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type Platform, type StartPlatformOptions } from '../../packages/eposgate/src/platform/platform.ts';
import { SqliteStore } from '../../packages/eposgate/src/platform/store/sqlite/index.ts';

export interface TestPlatform extends Platform {
  dataDir: string;
  /** Always the embedded store here, so tests may look at its database. */
  store: SqliteStore;
  /** Stops the platform; the data directory stays so a restart can read it. */
  stop(): Promise<void>;
  /** Stops and deletes the data directory. */
  destroy(): Promise<void>;
}

export function tempDir(prefix = 'eposgate-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function testPlatform(opts: Partial<StartPlatformOptions> = {}): Promise<TestPlatform> {
  const dataDir = opts.dataDir ?? tempDir();
  const p = await startPlatform({ port: 0, ...opts, dataDir });
  const store = p.store;
  if (!(store instanceof SqliteStore)) throw new Error('testPlatform runs on SQLite; start a PostgreSQL platform with startPlatform');
  return Object.assign(p, {
    dataDir,
    store,
    stop: () => p.close(),
    destroy: async () => {
      await p.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Calls the platform's HTTP API as an EPOS or product would. */
export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; softwareHouseId?: string | null } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
  if (opts.key !== undefined) headers.authorization = `Basic ${opts.key}`;
  if (opts.softwareHouseId !== null) headers['software-house-id'] = opts.softwareHouseId ?? 'test-software-house';
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* keep text */ }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}
