// Cursor pagination shared by every search: rows are walked in insertion order (`seq`), cursors are
// opaque strings naming a position, so a walk never repeats or skips a row that stays put.
import { EposError } from '@eposgate/sdk';
import type { Db } from './db.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

export interface CursorIn {
  limit?: number;
  before?: string;
  after?: string;
}

export interface Page<R> {
  rows: R[];
  before?: string;
  after?: string;
}

function encode(kind: string, seq: number): string {
  return Buffer.from(`${kind}:${seq}`).toString('base64url');
}

function decode(kind: string, cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^([a-z]+):(\d+)$/.exec(text);
  if (!m || m[1] !== kind) throw new EposError('InvalidRequest', `cursor ${JSON.stringify(cursor)} is not a cursor of this search`);
  return Number(m[2]);
}

/**
 * Runs `SELECT * FROM <table> WHERE <where>` one page at a time. `kind` ties cursors to one search.
 * `before` gives the page just before the cursor, `after` the page just after it.
 */
export function pageQuery<R extends { seq: number }>(
  db: Db,
  kind: string,
  table: string,
  where: string[],
  args: unknown[],
  cursor: CursorIn | undefined,
): Page<R> {
  const limit = cursor?.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new EposError('InvalidRequest', `cursor.limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  if (cursor?.before !== undefined && cursor?.after !== undefined) {
    throw new EposError('InvalidRequest', 'cursor.before and cursor.after are mutually exclusive');
  }
  const base = where.length > 0 ? where.join(' AND ') : '1=1';
  let rows: R[];
  if (cursor?.before !== undefined) {
    const at = decode(kind, cursor.before);
    rows = (db.prepare(`SELECT * FROM ${table} WHERE (${base}) AND seq < ? ORDER BY seq DESC LIMIT ?`).all(...args, at, limit) as R[]).reverse();
  } else {
    const at = cursor?.after !== undefined ? decode(kind, cursor.after) : 0;
    rows = db.prepare(`SELECT * FROM ${table} WHERE (${base}) AND seq > ? ORDER BY seq ASC LIMIT ?`).all(...args, at, limit) as R[];
  }
  const page: Page<R> = { rows };
  if (rows.length === 0) return page;
  const exists = (op: '<' | '>', seq: number) =>
    db.prepare(`SELECT 1 FROM ${table} WHERE (${base}) AND seq ${op} ? LIMIT 1`).get(...args, seq) !== undefined;
  const first = rows[0].seq;
  const last = rows[rows.length - 1].seq;
  if (exists('<', first)) page.before = encode(kind, first);
  if (exists('>', last)) page.after = encode(kind, last);
  return page;
}
