// Opens the embedded database: one file under the data directory, WAL, migrations applied.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Migration } from './migrations.ts';

export type Db = Database.Database;

/**
 * The one way a sub-store writes: the promise settles once the write is committed, and a caller
 * answers only after that. Reads go straight to the connection.
 */
export interface Writer {
  write<T>(fn: () => T): Promise<T>;
}

/** Each write commits on its own, at once. */
export function directWriter(): Writer {
  return { write: async (fn) => fn() };
}

export function openDb(file: string, migrations: readonly Migration[]): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT name FROM migrations').all() as { name: string }[]).map((r) => r.name));
  const mark = db.prepare('INSERT INTO migrations (name, applied_at) VALUES (?, ?)');
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      mark.run(m.name, new Date().toISOString());
    })();
  }
  return db;
}

export function dataFile(dataDir: string, name: string): string {
  mkdirSync(dataDir, { recursive: true });
  return join(dataDir, name);
}
