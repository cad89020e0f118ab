// Runs the reference EPOS against a platform: over a WebSocket it opens itself, or as a REST
// server the platform calls; registers its capabilities and reports its changes as POS events.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, register, restHandler, sendEvent, type EposConnection, type PlatformOptions, type PosEvent } from '@eposgate/sdk';
import { createReferenceEpos, type ReferenceEpos } from './index.ts';
import { FaultInjector } from './faults.ts';
import { faultControl, isSandboxKey } from './faultControl.ts';

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
  /** Faults to commit from the start (faults.ts); sandbox keys only. REST serves GET/PUT/DELETE /_faults too. */
  faults?: string | FaultInjector;
  /** WS only: serve the fault control API (/_faults) on this port (0: any free port); sandbox keys only. */
  controlPort?: number;
}

export interface RunningEpos {
  reference: ReferenceEpos;
  connection?: EposConnection;
  server?: Server;
  /** REST only: the URL registered with the platform. */
  url?: string;
  /** The basic-auth password of the REST routes and of /_faults (generated unless given). */
  password: string;
  /** WS with controlPort: the fault control server and its URL. */
  controlServer?: Server;
  controlUrl?: string;
  close(): Promise<void>;
}

export async function runReferenceEpos(o: RunOptions): Promise<RunningEpos> {
  const platform: PlatformOptions = {
    platformUrl: o.platformUrl, apiKey: o.apiKey, softwareHouseId: o.softwareHouseId,
    ...(o.resellerId ? { resellerId: o.resellerId } : {}),
  };
  const faults = o.faults instanceof FaultInjector ? o.faults : new FaultInjector(o.faults ?? '');
  // Faults are for product teams' tests: never on a production EPOS.
  if (!isSandboxKey(o.apiKey) && (faults.list().length > 0 || o.controlPort !== undefined)) {
    throw new Error('faults are for sandbox only: --faults and --control-port need an sk_sandbox_ key');
  }
  if (o.transport === 'rest' && o.controlPort !== undefined) {
    throw new Error('--control-port is for --transport ws: a REST reference EPOS serves /_faults on its own port');
  }
  const username = o.username ?? 'eposgate';
  const password = o.password ?? randomBytes(18).toString('base64url');
  const control = faultControl({ faults, username, password, apiKey: o.apiKey });
  const reference = createReferenceEpos({
    dbPath: o.dbPath,
    faults,
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
      let controlServer: Server | undefined;
      let controlUrl: string | undefined;
      if (o.controlPort !== undefined) {
        controlServer = createServer((req, res) => {
          if (!control(req, res)) {
            req.resume();
            res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errorType: 'NotFound', debugMessage: 'only /_faults is served here' }));
          }
        });
        try {
          await listen(controlServer, o.controlPort, o.host ?? '127.0.0.1');
        } catch (err) {
          await connection.close();
          throw err;
        }
        controlUrl = `http://${o.host ?? '127.0.0.1'}:${(controlServer.address() as AddressInfo).port}`;
      }
      return {
        reference, connection, password, ...(controlServer ? { controlServer, controlUrl } : {}),
        close: async () => {
          faults.release(); // held calls answer, so the drain does not wait for them
          if (controlServer) await stopServer(controlServer);
          await connection.close();
          reference.close();
        },
      };
    }
    const handler = restHandler(reference.epos, { username, password });
    const server = createServer((req, res) => {
      if (!control(req, res)) handler(req, res);
    });
    await listen(server, o.port ?? 0, o.host ?? '127.0.0.1');
    const addr = server.address() as AddressInfo;
    const url = o.publicUrl ?? `http://${o.host ?? '127.0.0.1'}:${addr.port}`;
    if (o.register !== false) await register(reference.epos, { ...platform, transport: 'rest', url, username, password });
    return {
      reference, server, url, password,
      close: async () => {
        faults.release();
        await stopServer(server);
        reference.close();
      },
    };
  } catch (err) {
    reference.close();
    throw err;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}
