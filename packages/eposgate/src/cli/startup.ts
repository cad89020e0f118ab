// Start-up failures as one line a newcomer can act on: what failed, the path or port, what to do.
// Exit code 1 and no stack trace, unless --debug asks for it.
import { Buffer } from 'node:buffer';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { DataDirInUseError } from '../platform/dataDirLock.ts';
import { StoreUrlError } from '../platform/store/store.ts';
import { cliIo } from './io.ts';

export interface StartupContext {
  /** The command, for the fallback line ("eposgate serve could not start"). */
  command: string;
  dataDir?: string;
  /** The SQLite file being opened, when not DATA/platform.db (the reference EPOS's --db). */
  dbFile?: string;
  port?: number;
  host?: string;
  /** The platform a command connects to (the reference EPOS's --platform). */
  platformUrl?: string;
}

/** Thrown by the checks made before starting, already worded. */
export class StartupError extends Error {}

type Errno = Error & { code?: string; path?: string; syscall?: string; port?: number; address?: string; hostname?: string };

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** The one line that explains why `ctx.command` could not start. */
export function explainStartupError(err: unknown, ctx: StartupContext): string {
  if (err instanceof StartupError || err instanceof DataDirInUseError || err instanceof InvalidArgumentError
    || err instanceof StoreUrlError) return err.message;
  if (!(err instanceof Error)) return `eposgate ${ctx.command} could not start: ${String(err)}`;
  // fetch() wraps the socket's error: "fetch failed" with the errno error as its cause.
  const e = (err.cause instanceof Error && (err.cause as Errno).code ? err.cause : err) as Errno;
  if (ctx.platformUrl && e.code && UNREACHABLE.has(e.code) && e.syscall !== 'listen' && !(ctx.host && e.hostname === ctx.host)) {
    return `cannot reach the platform at ${ctx.platformUrl} (${e.code}): start it (eposgate serve) or check --platform`;
  }
  const data = ctx.dataDir ?? './data';
  const port = e.port ?? ctx.port;
  const host = e.address ?? ctx.host ?? '127.0.0.1';
  const db = ctx.dbFile ?? join(data, 'platform.db');
  const flag = ctx.dbFile ? '--db' : '--data';
  switch (e.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use: stop what listens there, or choose another port with --port N${ctx.command === 'epos' ? '' : ' (or PORT=N)'}`;
    case 'EACCES':
    case 'EPERM':
      if (e.syscall === 'listen' || e.syscall === 'bind') {
        return `not allowed to listen on port ${port} on ${host}: use a port above 1023 (--port N), or run with the rights to bind it`;
      }
      return `cannot write to data dir ${data} (${e.code} on ${e.path ?? data}): give this user write access to it, or use another ${flag}`;
    case 'EROFS':
      return `cannot write to data dir ${data}: ${e.path ?? data} is on a read-only file system; use another ${flag}`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on host ${host}: it is not an address of this machine; use --host 127.0.0.1, or 0.0.0.0 for every interface`;
    case 'EEXIST':
    case 'ENOTDIR':
      if (e.syscall === 'mkdir' || e.syscall === 'open') {
        const why = e.code === 'EEXIST' ? `${e.path ?? data} is a file` : `a part of ${e.path ?? data} is a file`;
        return `--data ${data} is not a directory (${why}): point --data at a directory, new or the platform's`;
      }
      break;
    case 'ENOSPC':
      return `the disk holding data dir ${data} is full: free some space, or use another ${flag}`;
    case 'SQLITE_CANTOPEN':
      return `cannot open the database ${db}: check that ${dirname(db)} is a directory this user can write, and that ${basename(db)} in it is a file`;
    case 'SQLITE_READONLY':
      return `the database ${db} is read-only: give this user write access to it and to ${dirname(db)}`;
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return `${db} is not a readable SQLite database (${e.message}): restore it from a backup (eposgate backup, docs/durability.md), or point at another file`;
    case 'SQLITE_FULL':
      return `the disk holding data dir ${data} is full: free some space, or use another ${flag}`;
    case 'SQLITE_BUSY':
      return `the database ${db} is locked by another process: stop it, or use another ${flag}`;
  }
  const secret = /^secret key must be 32 bytes, got (\d+)$/.exec(e.message);
  if (secret) {
    return cliIo().env.EPOSGATE_SECRET_KEY
      ? secretKeyMessage(Number(secret[1]))
      : `${join(data, 'secret.key')} does not hold a key (base64 of 32 bytes; it decodes to ${secret[1]} bytes): restore it from your backup, or stored REST passwords cannot be read`;
  }
  return `eposgate ${ctx.command} could not start: ${e.message}`;
}

function secretKeyMessage(bytes: number): string {
  return `EPOSGATE_SECRET_KEY is not a key: it must be base64 of 32 bytes (it decodes to ${bytes}); make one with: openssl rand -base64 32`;
}

/** EPOSGATE_SECRET_KEY, when set, must be 32 bytes in base64: refused before anything starts. */
export function checkSecretKeyEnv(value = cliIo().env.EPOSGATE_SECRET_KEY): void {
  if (value === undefined || value === '') return;
  const trimmed = value.trim();
  const bytes = Buffer.from(trimmed, 'base64').length;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) || bytes !== 32) throw new StartupError(secretKeyMessage(bytes));
}

/**
 * Runs a command's start-up. A failure prints `error: <one line>` (and the stack with --debug) and
 * exits 1; nothing else is printed.
 */
export async function startup<T>(ctx: StartupContext & { debug?: boolean }, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    cliIo().stderr.write(`error: ${explainStartupError(err, ctx).replace(/\s*\n\s*/g, ' ')}\n`);
    if (ctx.debug) cliIo().stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    return cliIo().exit(1);
  }
}
