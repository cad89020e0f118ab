// Runs the reference EPOS against a platform: over a WebSocket it opens itself, or as a REST
// server the platform calls; registers its capabilities and reports its changes as POS events.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, register, restHandler, sendEvent, type EposConnection, type PlatformOptions, type PosEvent } from '../sdk/index.ts';
import { createReferenceEpos, type ReferenceEpos } from './index.ts';

export interface RunOptions extends PlatformOptions {
  transport: 'ws' | 'rest';
  /** SQLite file of the restaurant (seeded when new). */
  dbPath: string;
  /** REST only: where to listen, and the URL the platform should call (default http://host:port). */
  host?: string;
  port?: number;
  publicUrl?: string;
  username?: string;
  password?: string;
  /** Register the capabilities on start (default true). */
  register?: boolean;
  /** Report a POS event that could not be sent (default: ignore). */
  onEventError?: (event: PosEvent, err: unknown) => void;
}

export interface RunningEpos {
  reference: ReferenceEpos;
  connection?: EposConnection;
  server?: Server;
  /** REST only: the URL registered with the platform. */
  url?: string;
  close(): Promise<void>;
}

export async function runReferenceEpos(o: RunOptions): Promise<RunningEpos> {
  const platform: PlatformOptions = {
    platformUrl: o.platformUrl, apiKey: o.apiKey, softwareHouseId: o.softwareHouseId,
    ...(o.resellerId ? { resellerId: o.resellerId } : {}),
  };
  const reference = createReferenceEpos({
    dbPath: o.dbPath,
    // Fire and forget: a POS event that cannot be sent must not fail the change that caused it.
    onChange: (event) => void sendEvent(platform, event).catch((err) => {
      try { o.onEventError?.(event, err); } catch { /* a throwing error hook must not become an unhandled rejection */ }
    }),
  });
  try {
    if (o.transport === 'ws') {
      if (o.register !== false) await register(reference.epos, { ...platform, transport: 'ws' });
      const connection = connect(reference.epos, { ...platform, url: o.platformUrl.replace(/^http/, 'ws').replace(/\/$/, '') + '/epos' });
      let lastError: unknown;
      const onError = (err: unknown) => { lastError = err; };
      connection.on('error', onError);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            void connection.close();
            reject(new Error(`could not connect to ${o.platformUrl}/epos within 15 s${lastError ? `: ${(lastError as Error).message}` : ''}`));
          }, 15_000);
          connection.once('connect', () => { clearTimeout(timer); resolve(); });
        });
      } finally {
        connection.off('error', onError);
      }
      return { reference, connection, close: async () => { await connection.close(); reference.close(); } };
    }
    const username = o.username ?? 'eposgate';
    const password = o.password ?? randomBytes(18).toString('base64url');
    const server = createServer(restHandler(reference.epos, { username, password }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, o.host ?? '127.0.0.1', resolve);
    });
    const addr = server.address() as AddressInfo;
    const url = o.publicUrl ?? `http://${o.host ?? '127.0.0.1'}:${addr.port}`;
    if (o.register !== false) await register(reference.epos, { ...platform, transport: 'rest', url, username, password });
    return {
      reference, server, url,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        reference.close();
      },
    };
  } catch (err) {
    reference.close();
    throw err;
  }
}
