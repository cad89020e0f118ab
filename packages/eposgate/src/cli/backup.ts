// `eposgate backup --data DIR --out DIR2`: a consistent copy of a data directory, safe while the
// platform runs and writes. The database goes through SQLite's online backup (committed rows,
// the WAL's included, as of one instant); secret.key is copied beside it. Restore: docs/durability.md.
import { Command } from 'commander';
import Database from 'better-sqlite3';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { storeLocation } from '../platform/store/open.ts';
import { DATABASE_FLAG, DATABASE_HELP } from './options.ts';
import { cliIo } from './io.ts';

export interface BackupResult {
  database: string;
  pages: number;
  /** False when the data dir has no secret.key (the platform then takes EPOSGATE_SECRET_KEY). */
  secretKey: boolean;
}

export async function backupDataDir(dataDir: string, outDir: string): Promise<BackupResult> {
  const source = join(dataDir, 'platform.db');
  if (!existsSync(source)) throw new BackupError(`no platform database at ${source}: --data must be the platform's data directory`);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  chmodSync(outDir, 0o700);
  if (readdirSync(outDir).length > 0) throw new BackupError(`${outDir} is not empty: back up into a new or empty directory`);
  const database = join(outDir, 'platform.db');
  closeSync(openSync(database, 'wx', 0o600)); // private from the first byte
  const db = new Database(source, { fileMustExist: true });
  let pages = 0;
  try {
    db.pragma('busy_timeout = 5000');
    // All pages in one step: one read transaction, so the copy is one instant of the database
    // (smaller steps restart whenever the running platform commits in between).
    const r = await db.backup(database, { progress: () => 0x7fffffff });
    pages = r.totalPages;
  } finally {
    db.close();
  }
  const copy = new Database(database, { fileMustExist: true });
  try {
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`the copy failed its integrity check: ${String(check)}`);
  } finally {
    copy.close();
  }
  for (const f of readdirSync(outDir)) chmodSync(join(outDir, f), 0o600);
  const secret = join(dataDir, 'secret.key');
  const secretKey = existsSync(secret);
  if (secretKey) {
    copyFileSync(secret, join(outDir, 'secret.key'));
    chmodSync(join(outDir, 'secret.key'), 0o600);
  }
  return { database, pages, secretKey };
}

export class BackupError extends Error {}

export function backupCommand(): Command {
  return new Command('backup')
    .description('copy a data directory (database and secret key), consistent even while the platform runs')
    .option('-d, --data <dir>', 'the platform\'s data directory', './data')
    .option(DATABASE_FLAG, DATABASE_HELP)
    .requiredOption('-o, --out <dir>', 'where to write the copy (a new or empty directory)')
    .action(async (o: { data: string; database?: string; out: string }) => {
      try {
        const where = storeLocation(o, cliIo().env);
        if (where.kind === 'postgres') {
          throw new BackupError('eposgate backup copies an embedded (SQLite) data directory; back a PostgreSQL store up with pg_dump '
            + '(e.g. pg_dump --format=custom DBNAME > eposgate.dump), and keep EPOSGATE_SECRET_KEY with it: stored REST passwords need it');
        }
        o.data = where.dataDir;
        const r = await backupDataDir(o.data, o.out);
        cliIo().stdout.write(`backed up ${o.data} to ${o.out}: platform.db (${r.pages} pages)${r.secretKey ? ' and secret.key' : ''}\n`);
        if (!r.secretKey) {
          cliIo().stdout.write(`note: ${o.data} has no secret.key; the platform uses EPOSGATE_SECRET_KEY: keep that key with this backup, or stored REST passwords cannot be read\n`);
        }
        cliIo().stdout.write(`restore: stop the platform, use ${o.out} as its --data directory (or copy its files into an empty one), start it\n`);
      } catch (err) {
        cliIo().stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        cliIo().exit(2);
      }
    });
}
