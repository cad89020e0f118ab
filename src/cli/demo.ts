// `eposgate demo`: the whole system in one process: the platform with its embedded store, and the
// reference EPOS connected over WebSocket with its capabilities registered.
import { Command, InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import pino from 'pino';
import { isWellFormedKey } from '../platform/auth/apiKey.ts';
import { startPlatform, DEFAULTS } from '../platform/platform.ts';
import { runReferenceEpos } from '../epos/run.ts';
import { defaultPort, parsePort } from './options.ts';
import { installProcessGuard } from './processGuard.ts';

export const DEMO_ACCOUNT = 'demo-restaurant';
const SOFTWARE_HOUSE = 'my-place-curl';

function parseSandboxKey(v: string): string {
  if (!v.startsWith('sk_sandbox_') || !isWellFormedKey(v)) {
    throw new InvalidArgumentError('must be a sandbox key: sk_sandbox_ followed by at least 16 letters, digits, "_" or "-"');
  }
  return v;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('run the platform plus the reference EPOS, and print a key and curl commands to try')
    .option('-p, --port <port>', 'port to listen on (also $PORT)', parsePort)
    .option('-d, --data <dir>', 'data directory', './data')
    .option('--host <host>', 'address to bind', DEFAULTS.host)
    .option('--api-key <key>', 'use this sandbox key instead of generating one', parseSandboxKey)
    .option('--log-level <level>', 'pino log level', 'warn')
    .action(async (o: { port?: number; data: string; host: string; apiKey?: string; logLevel: string }) => {
      const logger = pino({ level: o.logLevel });
      installProcessGuard(logger);
      const platform = await startPlatform({ dataDir: o.data, port: o.port ?? defaultPort(), host: o.host, logger });
      const { key } = await platform.keys.create(DEMO_ACCOUNT, 'sandbox', { label: 'demo', ...(o.apiKey ? { key: o.apiKey } : {}) });
      const epos = await runReferenceEpos({
        transport: 'ws', platformUrl: platform.url, apiKey: key, softwareHouseId: 'eposgate-reference-epos',
        dbPath: join(o.data, 'reference-epos.db'),
        onEventError: (event, err) => logger.warn({ event, err: (err as Error).message }, 'POS event not sent'),
      });
      process.stdout.write(demoText(platform.url, key));
      const stop = async () => {
        await epos.close();
        await platform.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}

export function demoText(url: string, key: string): string {
  const h = `--header 'Accept: application/json' --header 'software-house-id: ${SOFTWARE_HOUSE}' --header 'Authorization: Basic ${key}'`;
  return `
eposgate demo is running on ${url}
  platform data and the demo restaurant live in the data directory; Ctrl-C stops both.

Sandbox API key (account ${DEMO_ACCOUNT}):
${key}

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
