// Option parsing shared by subcommands: clear errors for bad values.
import { InvalidArgumentError } from 'commander';
import { CliExit, cliIo } from './io.ts';

export function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${v}" is not a port number (0-65535)`);
  return n;
}

/** $PORT, else 8080. */
export function positive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${v}" is not a positive integer`);
  return n;
}

export function defaultPort(env: NodeJS.ProcessEnv = cliIo().env): number {
  if (env.PORT) {
    try {
      return parsePort(env.PORT);
    } catch {
      throw new InvalidArgumentError(`PORT=${env.PORT} is not a port number (0-65535)`);
    }
  }
  return 8080;
}

/**
 * The port a command listens on. Under `npm start`, npm keeps `--port` for itself: `npm start --port=N`
 * arrives as $npm_config_port=N, and `npm start --port N` as $npm_config_port=true with N as a stray
 * argument; both are honoured, as are `npm start -- --port N` and `PORT=N npm start`.
 */
export function resolvePort(given: number | undefined, extraArgs: readonly string[], env: NodeJS.ProcessEnv = cliIo().env): number {
  const underNpm = env.npm_lifecycle_event !== undefined;
  if (extraArgs.length > 0) {
    if (underNpm && env.npm_config_port === 'true' && extraArgs.length === 1 && given === undefined) return parsePort(extraArgs[0]!);
    throw new InvalidArgumentError(`unexpected argument${extraArgs.length > 1 ? 's' : ''} ${extraArgs.join(' ')}${underNpm ? ': with npm, pass options after --, e.g. npm start -- --port 18001' : ''}`);
  }
  if (given !== undefined) return given;
  if (underNpm && env.npm_config_port && env.npm_config_port !== 'true') return parsePort(env.npm_config_port);
  return defaultPort(env);
}

export function parseEnv(v: string): 'sandbox' | 'production' {
  if (v === 'sandbox' || v === 'production') return v;
  if (v === 'prod') return 'production';
  throw new InvalidArgumentError(`"${v}" is not an environment: use sandbox or production`);
}

/** Runs a command's body and sets the exit code it answers; a thrown error is one line and exit code 2. */
export async function withExitCode(body: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await body();
  } catch (err) {
    if (err instanceof CliExit) throw err;
    cliIo().stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    code = 2;
  }
  cliIo().setExitCode(code);
}

/** The flag every command with --data also takes (store/open.ts parses it). */
export const DATABASE_FLAG = '--database <url>';
export const DATABASE_HELP = 'the store: sqlite:DIR or postgres://user@host:5432/db[?schema=name] (also $EPOSGATE_DATABASE_URL); wins over --data';
