// `eposgate demo`: the whole system in one process: the platform with its embedded store, and the
// reference EPOS connected over WebSocket with its capabilities registered.
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { isWellFormedKey } from '../platform/auth/apiKey.ts';
import type { KeyService } from '../platform/auth/keys.ts';
import { isPlatformError } from '../platform/errors.ts';
import { startPlatform, DEFAULTS } from '../platform/platform.ts';
import { runReferenceEpos } from '../epos/run.ts';
import { parsePort, resolvePort } from './options.ts';
import { installProcessGuard } from './processGuard.ts';
import { checkSecretKeyEnv, startup } from './startup.ts';
import { drainOnSignals } from './signals.ts';

export const DEMO_ACCOUNT = 'demo-restaurant';
/** The demo key's plain text, kept in the data dir so that every start reuses it. */
export const DEMO_KEY_FILE = 'demo.key';
const SOFTWARE_HOUSE = 'my-place-curl';

function parseSandboxKey(v: string): string {
  if (!v.startsWith('sk_sandbox_') || !isWellFormedKey(v)) {
    throw new InvalidArgumentError('must be a sandbox key: sk_sandbox_ followed by at least 16 letters, digits, "_" or "-"');
  }
  return v;
}

export interface DemoKeyOptions {
  /** A sandbox key given with --api-key: used as it is (and not written to the data dir). */
  apiKey?: string;
  /** --new-key: revoke the demo account's demo keys and make a fresh one. */
  newKey?: boolean;
}

/**
 * The demo's key: the one in DATA/demo.key while it is active, so each `npm start` does not leave
 * another active key behind; a fresh one (written there, 0600) when there is none, it was revoked,
 * or --new-key asks for it, which also revokes the old demo keys.
 */
export async function demoKey(keys: KeyService, dataDir: string, o: DemoKeyOptions = {}): Promise<{ key: string; reused: boolean }> {
  if (o.apiKey) return { key: (await keys.create(DEMO_ACCOUNT, 'sandbox', { label: 'demo', key: o.apiKey })).key, reused: false };
  const file = join(dataDir, DEMO_KEY_FILE);
  if (o.newKey) {
    for (const k of await keys.list(DEMO_ACCOUNT)) {
      if (k.label === 'demo' && !k.revokedAt) await keys.revoke(k.id);
    }
  } else if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    try {
      return { key: (await keys.create(DEMO_ACCOUNT, 'sandbox', { label: 'demo', key: stored })).key, reused: true };
    } catch (err) {
      if (!isPlatformError(err)) throw err; // revoked, or not a key: replaced below
    }
  }
  const { key } = await keys.create(DEMO_ACCOUNT, 'sandbox', { label: 'demo' });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, key + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  return { key, reused: false };
}

interface DemoOptions { port?: number; data: string; host: string; apiKey?: string; newKey?: boolean; logLevel: string; debug?: boolean }

export function demoCommand(): Command {
  return new Command('demo')
    .description('run the platform plus the reference EPOS, and print a key and curl commands to try')
    .option('-p, --port <port>', 'port to listen on (also $PORT)', parsePort)
    .option('-d, --data <dir>', 'data directory; one running platform owns it', './data')
    .option('--host <host>', 'address to bind', DEFAULTS.host)
    .option('--api-key <key>', 'use this sandbox key instead of the demo key kept in the data dir', parseSandboxKey)
    .option('--new-key', `revoke the demo key kept in the data dir (${DEMO_KEY_FILE}) and make a fresh one`)
    .option('--log-level <level>', 'pino log level', 'warn')
    .option('--debug', 'print the stack trace of a start-up failure')
    .allowExcessArguments(true)
    .action(async (o: DemoOptions, cmd: Command) => {
      const ctx = { command: 'demo', dataDir: o.data, host: o.host, ...(o.port !== undefined ? { port: o.port } : {}), debug: o.debug === true };
      const logger = pino({ level: o.logLevel });
      const { platform, epos, key } = await startup(ctx, async () => {
        const port = resolvePort(o.port, cmd.args);
        ctx.port = port;
        checkSecretKeyEnv();
        const platform = await startPlatform({ dataDir: o.data, port, host: o.host, logger });
        try {
          const { key } = await demoKey(platform.keys, o.data, { ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.newKey ? { newKey: true } : {}) });
          const epos = await runReferenceEpos({
            transport: 'ws', platformUrl: platform.url, apiKey: key, softwareHouseId: 'eposgate-reference-epos',
            dbPath: join(o.data, 'reference-epos.db'),
            onEventError: (event, err) => logger.warn({ event, err: (err as Error).message }, 'POS event not sent'),
          });
          return { platform, epos, key };
        } catch (err) {
          await platform.close();
          throw err;
        }
      });
      installProcessGuard(logger);
      process.stdout.write(demoText(platform.url, key));
      // Both drain at once: the EPOS answers the calls it holds before closing its socket (and has
      // no other node to reconnect to), while the platform takes no new call and waits for those.
      drainOnSignals(logger, async () => {
        await Promise.all([platform.drain(), epos.close()]);
      });
    });
}

export function demoText(url: string, key: string): string {
  const h = `--header 'Accept: application/json' --header 'software-house-id: ${SOFTWARE_HOUSE}' --header 'Authorization: Basic ${key}'`;
  return `
eposgate demo is running on ${url}
  platform data and the demo restaurant live in the data directory; Ctrl-C stops both.

Sandbox API key (account ${DEMO_ACCOUNT}):
${key}

Web console: ${url}/console
  sign in with the key above (software-house-id: any name, eposgate-console by default)

List the registered capabilities:
curl ${url}/epos/integrations ${h}

Get an order from the restaurant's EPOS through the platform:
curl ${url}/epos/data/v1/orders/ord_0001 ${h}

Search payable orders:
curl -X POST ${url}/epos/data/v1/orders/search --header 'Content-Type: application/json' ${h} --data '{"payableOnly": true}'

List the tester's flows, run "Get Order", then fetch its result (use the id it prints):
curl ${url}/epos-tester-tool/flows ${h}
curl -X POST ${url}/epos-tester-tool/flows --header 'Content-Type: application/json' ${h} --data '{"flow": "Get Order", "params": {"orderId": "ord_0001"}}'
curl ${url}/epos-tester-tool/flows/FLOW_ID ${h}

Ready.
`;
}
