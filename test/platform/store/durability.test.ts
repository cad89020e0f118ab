// Acknowledged writes are committed: the group-commit Writer on a real SQLite file, the platform's
// durable setting, a second connection looking right after each answer, and kill -9 of a platform
// process right after its acknowledgements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { groupCommitWriter, openDb } from '../../../packages/eposgate/src/platform/store/sqlite/db.ts';
import { SqliteStore } from '../../../packages/eposgate/src/platform/store/sqlite/index.ts';
import { KeyService } from '../../../packages/eposgate/src/platform/auth/keys.ts';
import { isPlatformError } from '../../../packages/eposgate/src/platform/errors.ts';
import { UNLIMITED_RATES } from '../../../packages/eposgate/src/platform/limits.ts';
import { api, tempDir, testPlatform } from '../../helpers/platform.ts';

const payment = (pi: string) => ({ paymentIntentId: pi, paymentStatus: 'Created', captureMode: 'Auto' });

function scratchDb(t: { after(fn: () => void): void }) {
  const dir = tempDir('eposgate-writer-');
  const file = join(dir, 'w.db');
  const db = openDb(file, [{ name: '001', sql: `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE);
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);` }]);
  const other = new Database(file, { readonly: true });
  t.after(() => { other.close(); db.close(); rmSync(dir, { recursive: true, force: true }); });
  const count = (table = 't') => (other.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { db, count };
}

test('writes that arrive together share one commit, and none settles before that commit', async (t) => {
  const { db, count } = scratchDb(t);
  const w = groupCommitWriter(db);
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const settledAt: number[] = [];
  const writes = Array.from({ length: 20 }, (_, i) => w.write(() => ins.run(`v${i}`)).then(() => settledAt.push(count())));
  // All 20 ran inside one open transaction: another connection sees none of them yet.
  assert.equal(db.inTransaction, true);
  assert.equal(count(), 0);
  await Promise.all(writes);
  assert.equal(db.inTransaction, false);
  // Each write settled only once all 20 were visible from another connection (one shared COMMIT).
  assert.deepEqual(settledAt, Array(20).fill(20));
});

test('a write that throws fails alone; the other writes of its batch commit', async (t) => {
  const { db, count } = scratchDb(t);
  const w = groupCommitWriter(db);
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const a = w.write(() => ins.run('a'));
  const dup = w.write(() => { ins.run('b'); ins.run('a'); }); // 'b' is undone with it
  const c = w.write(() => ins.run('c'));
  await assert.rejects(dup, /UNIQUE/);
  await Promise.all([a, c]);
  assert.equal(count(), 2);
  assert.deepEqual((db.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v), ['a', 'c']);
});

test('a COMMIT that fails fails every write of the batch and leaves nothing behind', async (t) => {
  const { db, count } = scratchDb(t);
  const w = groupCommitWriter(db);
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  // A deferred foreign key is only checked at COMMIT: the whole batch's COMMIT fails.
  const results = await Promise.allSettled([
    w.write(() => ins.run('x')),
    w.write(() => db.prepare('INSERT INTO child (parent_id) VALUES (99)').run()),
    w.write(() => ins.run('y')),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  assert.equal(db.inTransaction, false);
  assert.equal(count(), 0);
  assert.equal(count('child'), 0);
  // The writer goes on with a fresh batch.
  await w.write(() => ins.run('z'));
  assert.equal(count(), 1);
});

test('a full batch commits at once, without waiting for the event loop', async (t) => {
  const { db, count } = scratchDb(t);
  const w = groupCommitWriter(db, { maxWrites: 5 });
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const first = Array.from({ length: 5 }, (_, i) => w.write(() => ins.run(`f${i}`)));
  assert.equal(count(), 5); // committed synchronously by the fifth write
  const sixth = w.write(() => ins.run('s'));
  assert.equal(count(), 5);
  await Promise.all([...first, sixth]);
  assert.equal(count(), 6);
});

test('read() and settled() wait for the open batch, and a write inside a caller\'s own transaction joins it', async (t) => {
  const { db, count } = scratchDb(t);
  const w = groupCommitWriter(db);
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const written = w.write(() => ins.run('p'));
  // read() runs only once the batch holding 'p' is committed, and sees it then.
  const seen = await w.read(() => ({ here: count(), open: db.inTransaction }));
  assert.deepEqual(seen, { here: 1, open: false });
  await written;
  void w.write(() => ins.run('p2'));
  await w.settled();
  assert.equal(count(), 2);
  db.transaction(() => { void w.write(() => ins.run('q')); void w.write(() => ins.run('r')); })();
  assert.equal(count(), 4);
});

test('the platform store runs synchronous = FULL, and every 202 is visible from a second connection when it arrives', async (t) => {
  const p = await testPlatform({ limits: UNLIMITED_RATES });
  t.after(() => p.destroy());
  assert.equal(p.store.db.pragma('synchronous', { simple: true }), 2); // 2 = FULL
  assert.equal(p.store.db.pragma('journal_mode', { simple: true }), 'wal');
  const other = new Database(join(p.dataDir, 'platform.db'), { readonly: true });
  t.after(() => other.close());
  const seen = other.prepare('SELECT COUNT(*) AS n FROM event_outbox WHERE id = ?');
  const { key } = await p.keys.create('acc-durable', 'sandbox');
  // 60 concurrent raises, so several share a commit; each is checked the moment its 202 arrives.
  const missing: string[] = [];
  await Promise.all(Array.from({ length: 60 }, async (_, i) => {
    const id = `evt-${i}`;
    const res = await api(p.url, 'POST', '/epos/data/v1/events', { key, body: { id, event: 'payment_intent.created', data: payment(`pi_${i}`) } });
    assert.equal(res.status, 202, res.text);
    if ((seen.get(id) as { n: number }).n !== 1) missing.push(id);
  }));
  assert.deepEqual(missing, []);
  // Registrations and keys too.
  const reg = await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } });
  assert.equal(reg.status, 200, reg.text);
  assert.equal((other.prepare("SELECT COUNT(*) AS n FROM integrations WHERE account_id = 'acc-durable'").get() as { n: number }).n, 1);
  const created = await p.keys.create('acc-other', 'sandbox');
  assert.equal((other.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE id = ?').get(created.record.id) as { n: number }).n, 1);
});

test('an idempotent replay is answered only once the first raise is committed', async (t) => {
  const p = await testPlatform({ limits: UNLIMITED_RATES });
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-replay', 'sandbox');
  const other = new Database(join(p.dataDir, 'platform.db'), { readonly: true });
  t.after(() => other.close());
  const body = { id: 'evt-same', event: 'payment_intent.created', data: payment('pi_same') };
  const answers = await Promise.all(Array.from({ length: 10 }, async () => {
    const res = await api(p.url, 'POST', '/epos/data/v1/events', { key, body });
    return { status: res.status, committed: (other.prepare("SELECT COUNT(*) AS n FROM event_outbox WHERE id = 'evt-same'").get() as { n: number }).n };
  }));
  assert.deepEqual(answers, Array(10).fill({ status: 202, committed: 1 }));
});

test('every event acknowledged by a platform process is there after kill -9 of that process', async (t) => {
  const dataDir = tempDir('eposgate-kill-');
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const setup = new SqliteStore(dataDir);
  const { key } = await new KeyService(setup.keys).create('acc-crash', 'sandbox');
  await setup.close();

  const child = fork(join(import.meta.dirname, 'child-platform.ts'), [], { execArgv: ['--conditions=eposgate-source', '--import', 'tsx'], env: { ...process.env, DATA_DIR: dataDir } });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const exited = once(child, 'exit');
  const [{ url }] = (await once(child, 'message')) as [{ url: string }];
  const acked: string[] = [];
  let stop = false;
  const loops = Array.from({ length: 16 }, async (_, l) => {
    for (let i = 0; !stop; i += 1) {
      const id = `evt-${l}-${i}`;
      try {
        const res = await api(url, 'POST', '/epos/data/v1/events', { key, body: { id, event: 'payment_intent.created', data: payment(id) } });
        if (res.status === 202) acked.push(id);
      } catch { return; } // the process is gone
    }
  });
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGKILL'); // while requests are in flight
  stop = true;
  await Promise.all(loops);
  await exited;
  assert.ok(acked.length > 20, `only ${acked.length} events were acknowledged before the kill`);

  const db = new Database(join(dataDir, 'platform.db'));
  t.after(() => db.close());
  const has = db.prepare('SELECT 1 FROM event_outbox WHERE id = ?');
  const lost = acked.filter((id) => !has.get(id));
  assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged events were lost`);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
});

test('the data directory is private: dir 0700, database, WAL, SHM and secret key 0600', async (t) => {
  const dataDir = join(tempDir('eposgate-perm-'), 'data');
  t.after(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));
  // An existing world-readable directory and secret key (as reported) are narrowed on start.
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  writeFileSync(join(dataDir, 'secret.key'), Buffer.alloc(32, 7).toString('base64') + '\n', { mode: 0o644 });
  chmodSync(join(dataDir, 'secret.key'), 0o644);
  const p = await testPlatform({ dataDir });
  t.after(() => p.stop());
  const { key } = await p.keys.create('acc-perm', 'sandbox');
  assert.equal((await api(p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } })).status, 200);
  const mode = (f: string) => (statSync(join(dataDir, f)).mode & 0o777).toString(8);
  assert.equal((statSync(dataDir).mode & 0o777).toString(8), '700');
  for (const f of ['platform.db', 'platform.db-wal', 'platform.db-shm', 'secret.key']) assert.equal(mode(f), '600', f);
});

test('a store failure is a PlatformError 503 STORE_UNAVAILABLE naming the reason', async (t) => {
  const { db } = scratchDb(t);
  const w = groupCommitWriter(db);
  const err = await w.write(() => { throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }); }).catch((e: unknown) => e);
  assert.ok(isPlatformError(err));
  assert.equal(err.code, 'STORE_UNAVAILABLE');
  assert.equal(err.status, 503);
  assert.match(err.message, /disk is full; nothing was written/);
});
