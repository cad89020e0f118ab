import { Command } from 'commander';
import pino from 'pino';
import { startPlatform, DEFAULTS } from '../platform/platform.ts';
import { storeLocation } from '../platform/store/open.ts';
import { redact } from '../platform/store/postgres/db.ts';
import { DATABASE_FLAG, DATABASE_HELP, parsePort, resolvePort } from './options.ts';
import { installProcessGuard } from './processGuard.ts';
import { checkSecretKeyEnv, startup } from './startup.ts';

interface ServeOptions { port?: number; data: string; database?: string; host: string; logLevel: string; forbidPrivateTargets?: boolean; debug?: boolean }

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the platform (HTTP API and the /epos WebSocket) on its store: embedded SQLite, or PostgreSQL for a cluster')
    .option('-p, --port <port>', 'port to listen on (also $PORT)', parsePort)
    .option('-d, --data <dir>', 'data directory (SQLite database, secret key); one running platform owns it', './data')
    .option(DATABASE_FLAG, DATABASE_HELP)
    .option('--host <host>', 'address to bind', DEFAULTS.host)
    .option('--log-level <level>', 'pino log level', 'info')
    .option('--forbid-private-targets', 'refuse private, loopback and reserved REST targets in sandbox too, as in production (also $EPOSGATE_FORBID_PRIVATE_TARGETS=1)')
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
        const where = storeLocation(o);
        if (where.kind === 'sqlite') ctx.dataDir = where.dataDir;
        shown = where.kind === 'sqlite' ? { data: where.dataDir } : { store: redact(where.url) };
        return startPlatform({ ...(where.kind === 'postgres' ? { database: where.url } : { dataDir: where.dataDir }), port, host: o.host, logger, ...(o.forbidPrivateTargets ? { forbidPrivateTargets: true } : {}) });
      });
      installProcessGuard(logger);
      logger.info({ url: platform.url, ...shown }, 'eposgate listening');
      process.stdout.write(`eposgate listening on ${platform.url} (${Object.entries(shown).map(([k, v]) => `${k}: ${v}`).join('')})\n`);
      const stop = async (sig: string) => {
        logger.info({ sig }, 'shutting down');
        await platform.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
