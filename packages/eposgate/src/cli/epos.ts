import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { runReferenceEpos } from '../epos/run.ts';
import { FaultSpecError, parseFaults } from '../epos/faults.ts';
import type { ReconnectInfo } from '@eposgate/sdk';
import { parsePort } from './options.ts';
import { cliIo } from './io.ts';
import { installProcessGuard } from './processGuard.ts';
import { startup } from './startup.ts';
import { dirname } from 'node:path';

function parseTransport(v: string): 'ws' | 'rest' {
  if (v === 'ws' || v === 'rest') return v;
  throw new InvalidArgumentError(`"${v}" is not a transport: use ws or rest`);
}

function parseFaultSpec(v: string): string {
  try {
    parseFaults(v);
  } catch (err) {
    if (err instanceof FaultSpecError) throw new InvalidArgumentError(err.message);
    throw err;
  }
  return v;
}

export function eposCommand(): Command {
  return new Command('epos')
    .description('run the reference EPOS (a demo restaurant) against a platform')
    .option('--transport <ws|rest>', 'keep a WebSocket open to the platform, or serve REST for it to call', parseTransport, 'ws')
    .option('--platform <url>', 'platform base URL', 'http://127.0.0.1:8080')
    .option('--api-key <key>', 'the account\'s API key (also $EPOSGATE_API_KEY)')
    .option('--software-house-id <id>', 'software-house-id header', 'eposgate-reference-epos')
    .option('--reseller-id <id>', 'reseller-id header')
    .option('--db <file>', 'the restaurant\'s SQLite file (seeded when new)', './data/reference-epos.db')
    .option('--port <port>', 'REST: port to listen on (default: any free port)', parsePort)
    .option('--host <host>', 'REST: address to bind', '127.0.0.1')
    .option('--public-url <url>', 'REST: URL to register (default http://host:port)')
    .option('--username <u>', 'REST: basic-auth username the platform must send', 'eposgate')
    .option('--password <p>', 'REST: basic-auth password (default: generated)')
    .option('--faults <spec>', 'sandbox only: faults to commit, CAPABILITY:KIND[=ARG][@P|#N],… (docs/reference-epos.md#faults)', parseFaultSpec)
    .option('--control-port <port>', 'WS, sandbox only: serve the fault control API (GET/PUT/DELETE /_faults) on this port; REST serves it on --port', parsePort)
    .option('--no-register', 'do not register capabilities on start')
    .option('--debug', 'print the stack trace of a start-up failure')
    .action(async (o: {
      transport: 'ws' | 'rest'; platform: string; apiKey?: string; softwareHouseId: string; resellerId?: string; db: string;
      port?: number; host: string; publicUrl?: string; username: string; password?: string; register: boolean; debug?: boolean;
      faults?: string; controlPort?: number;
    }) => {
      const log = pino({ level: 'info' });
      const apiKey = o.apiKey ?? cliIo().env.EPOSGATE_API_KEY;
      if (!apiKey) {
        cliIo().stderr.write('error: --api-key (or $EPOSGATE_API_KEY) is required: create one with `eposgate keys create`\n');
        return cliIo().exit(2);
      }
      const running = await startup({ command: 'epos', platformUrl: o.platform, dbFile: o.db, dataDir: dirname(o.db), host: o.host, ...(o.port !== undefined ? { port: o.port } : {}), debug: o.debug === true },
        () => runReferenceEpos({
          transport: o.transport, platformUrl: o.platform, apiKey, softwareHouseId: o.softwareHouseId,
          ...(o.resellerId ? { resellerId: o.resellerId } : {}),
          dbPath: o.db, host: o.host, ...(o.port !== undefined ? { port: o.port } : {}),
          ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}), username: o.username,
          ...(o.password ? { password: o.password } : {}), register: o.register,
          ...(o.faults ? { faults: o.faults } : {}), ...(o.controlPort !== undefined ? { controlPort: o.controlPort } : {}),
          onEventError: (event, err) => log.warn({ event, err: (err as Error).message }, 'POS event not sent'),
        }));
      installProcessGuard(log);
      // Once per lost connection, then sparsely (attempts 2, 4, 8, …) while the platform stays down.
      let lastError = '';
      running.connection?.on('disconnect', (d) => log.warn(d, 'disconnected from the platform'));
      running.connection?.on('reconnecting', ({ attempt, lastError: why }: ReconnectInfo) => {
        if (attempt >= 2 && (attempt & (attempt - 1)) === 0) log.warn({ attempt, lastError: why }, `still reconnecting (attempt ${attempt})`);
      });
      running.connection?.on('connect', () => { lastError = ''; log.info('connected to the platform'); });
      running.connection?.on('error', (err: Error) => {
        if (err.message !== lastError) log.warn({ err: err.message }, 'connection error');
        lastError = err.message;
      });
      process.stdout.write(`reference EPOS ${o.transport === 'ws' ? `connected to ${o.platform}/epos` : `serving REST at ${running.url}`} (db: ${o.db})\n`);
      const controlAt = running.controlUrl ?? running.url;
      if (controlAt && apiKey.startsWith('sk_sandbox_') && (o.controlPort !== undefined || o.transport === 'rest')) {
        process.stdout.write(`fault control: ${controlAt}/_faults (basic auth ${o.username}:${o.password ? '<--password>' : running.password})\n`);
      }
      if (running.reference.faults.spec) process.stdout.write(`faults in force: ${running.reference.faults.spec}\n`);
      const stop = async () => { await running.close(); process.exit(0); };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
