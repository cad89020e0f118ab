import { Command } from 'commander';
import pino from 'pino';
import { startPlatform, DEFAULTS } from '../platform/platform.ts';
import { storeLocation } from '../platform/store/open.ts';
import { redact } from '../platform/store/postgres/redact.ts';
import { DATABASE_FLAG, DATABASE_HELP, parsePort, positive, resolvePort } from './options.ts';
import { installProcessGuard } from './processGuard.ts';
import { checkSecretKeyEnv, startup } from './startup.ts';
import { drainOnSignals } from './signals.ts';

interface ServeOptions { port?: number; data: string; database?: string; host: string; logLevel: string; forbidPrivateTargets?: boolean; debug?: boolean; drainDeadline: number; nats?: string; nodeId?: string }

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the platform (HTTP API and the /epos WebSocket) with its embedded store')
    .option('-p, --port <port>', 'port to listen on (also $PORT)', parsePort)
    .option('-d, --data <dir>', 'data directory (SQLite database, secret key); one running platform owns it', './data')
    .option(DATABASE_FLAG, DATABASE_HELP)
    .option('--host <host>', 'address to bind', DEFAULTS.host)
    .option('--log-level <level>', 'pino log level', 'info')
    .option('--forbid-private-targets', 'refuse private, loopback and reserved REST targets in sandbox too, as in production (also $EPOSGATE_FORBID_PRIVATE_TARGETS=1)')
    .option('--drain-deadline <ms>', 'on SIGTERM/SIGINT, how long calls in flight may take to finish before they fail', positive, DEFAULTS.drainDeadlineMs)
    .option('--nats <url>', 'join a cluster over NATS, e.g. nats://127.0.0.1:4222 (also $EPOSGATE_NATS_URL)')
    .option('--node-id <id>', 'this node\'s id in the cluster (also $EPOSGATE_NODE_ID; default random)')
    .option('--debug', 'print the stack trace of a start-up failure')
    .allowExcessArguments(true)
    .action(async (o: ServeOptions, cmd: Command) => {
      let shown: Record<string, string> = { data: o.data };
      const ctx = { command: 'serve', dataDir: o.data, host: o.host, ...(o.port !== undefined ? { port: o.port } : {}), debug: o.debug === true };
      const logger = pino({ level: o.logLevel });
      const platform = await startup(ctx, async () => {
        const port = resolvePort(o.port, cmd.args);
        ctx.port = port;
        checkSecretKeyEnv();
        const bus = o.nats ?? (process.env.EPOSGATE_NATS_URL || undefined);
        const nodeId = o.nodeId ?? (process.env.EPOSGATE_NODE_ID || undefined);
        const where = storeLocation(o);
        if (where.kind === 'sqlite') ctx.dataDir = where.dataDir;
        shown = where.kind === 'sqlite' ? { data: where.dataDir } : { store: redact(where.url) };
        return startPlatform({
          ...(where.kind === 'postgres' ? { database: where.url } : { dataDir: where.dataDir }), port, host: o.host, logger, drainDeadlineMs: o.drainDeadline, ...(o.forbidPrivateTargets ? { forbidPrivateTargets: true } : {}),
          ...(bus ? { bus } : {}), ...(nodeId ? { nodeId } : {}),
        });
      });
      installProcessGuard(logger);
      logger.info({ url: platform.url, ...shown, node: platform.bus.nodeId, clustered: platform.bus.clustered }, 'eposgate listening');
      process.stdout.write(`eposgate listening on ${platform.url} (${Object.entries(shown).map(([k, v]) => `${k}: ${v}`).join(', ')})\n`);
      drainOnSignals(logger, () => platform.drain());
    });
}
