// The demo restaurant's own database: better-sqlite3, WAL, one schema. Handlers run synchronously
// against it, so each call is atomic; multi-statement writes use transactions anyway.
import Database from 'better-sqlite3';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS areas (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tables (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  max_covers INTEGER,
  area_id TEXT REFERENCES areas(id),
  waiter_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS orders (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  reference TEXT,
  display_name TEXT,
  status TEXT NOT NULL,
  order_type TEXT NOT NULL,
  table_id TEXT,
  waiter_id TEXT,
  party_id TEXT,
  reservation_id TEXT,
  ready_at TEXT,
  collection TEXT,
  currency TEXT NOT NULL,
  items TEXT NOT NULL DEFAULT '[]',
  discounts TEXT NOT NULL DEFAULT '[]',
  tax_lines TEXT NOT NULL DEFAULT '[]',
  service_charge INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL,
  note TEXT,
  customer TEXT,
  dojo_order_id TEXT UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_table ON orders(table_id);
CREATE TABLE IF NOT EXISTS payments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL REFERENCES orders(id),
  payment_intent_id TEXT UNIQUE,
  paid INTEGER NOT NULL,
  tips INTEGER NOT NULL DEFAULT 0,
  lock_id TEXT,
  recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_order ON payments(order_id);
CREATE TABLE IF NOT EXISTS locks (
  order_id TEXT PRIMARY KEY REFERENCES orders(id),
  lock_id TEXT NOT NULL,
  expiry TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parties (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  dojo_party_id TEXT,
  name TEXT,
  covers INTEGER,
  table_ids TEXT NOT NULL,
  status TEXT NOT NULL,
  start_time TEXT NOT NULL,
  expected_end_time TEXT,
  end_time TEXT,
  host_notes TEXT,
  guest_requests TEXT,
  reservation_id TEXT,
  deposit TEXT
);
CREATE TABLE IF NOT EXISTS reservations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  dojo_reservation_id TEXT,
  name TEXT NOT NULL,
  covers INTEGER NOT NULL,
  start_time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  table_ids TEXT NOT NULL,
  host_notes TEXT,
  guest_requests TEXT
);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  payment_intent_id TEXT,
  payment_status TEXT,
  received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payment_intents (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

export function openDb(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: a payment or order change this EPOS has answered as done survives a power loss, not only
  // a crash (NORMAL would lose the last commits). A restaurant writes a few times a second: one
  // fsync per write costs nothing it would notice.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

/** Next number of a named sequence (ids never reused, even after deletes). */
export function nextNumber(db: Db, name: string): number {
  const row = db
    .prepare('INSERT INTO counters(name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value')
    .get(name) as { value: number };
  return row.value;
}

export function json<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** Drops `undefined` and `null` members so results carry only what is known. */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out as T;
}
