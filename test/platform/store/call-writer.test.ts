// The call log's writer thread (store/sqlite/callWriter.ts): writes reach calls.db through it, a
// failing statement fails only its write, and a thread that dies is replaced by the next write.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import type { CallRecord } from '../../../packages/eposgate/src/platform/store/store.ts';
import { SqliteStore } from '../../../packages/eposgate/src/platform/store/sqlite/index.ts';
import { tempDir } from '../../helpers/platform.ts';

const T = { accountId: 'acc-w', env: 'sandbox' as const };
const call = (id: string, atMs: number): CallRecord => ({
  id, tenant: T, atMs, capability: 'GetOrderById', transport: 'ws', node: 'n', source: 'data-api', status: 'ok',
  latencyMs: 1, requestor: {}, request: '{"orderId":"o"}', response: '{"result":{}}', truncated: false,
});

function open(t: { after(fn: () => unknown): void }, priority?: 'idle' | 'normal'): SqliteStore {
  const dir = tempDir('eposgate-call-writer-');
  const store = new SqliteStore(dir, { durability: 'normal', ...(priority ? { callWriterPriority: priority } : {}) });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

test('no thread until the first write; the writes are read back through the platform connection', async (t) => {
  const store = open(t);
  assert.equal(store.callWriter.thread, undefined);
  await store.calls.insertMany([call('c1', 1_000), call('c2', 2_000)]);
  assert.ok(store.callWriter.thread, 'the first write started the thread');
  assert.deepEqual((await store.calls.list(T, { limit: 10 })).map((c) => [c.id, c.seq]), [['c2', 2], ['c1', 1]]);
});

test('retention over an empty calls.db starts no thread; over calls left from an earlier run it prunes them', async (t) => {
  const dir = tempDir('eposgate-call-writer-');
  let again: SqliteStore | undefined;
  t.after(async () => {
    await again?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const first = new SqliteStore(dir, { durability: 'normal' });
  assert.equal(await first.calls.pruneOlder(Date.now(), 500), 0);
  assert.equal(await first.calls.pruneBeyond(10, 500), 0);
  assert.equal(first.callWriter.threadsStarted, 0, 'a platform with nothing logged runs no writer thread');
  await first.calls.insertMany([call('c1', 1_000), call('c2', 2_000)]);
  await first.close();
  // A platform started again (its log now off, say) still prunes what the last run left.
  again = new SqliteStore(dir, { durability: 'normal' });
  assert.equal(await again.calls.pruneOlder(1_500, 500), 1);
  assert.equal(again.callWriter.threadsStarted, 1);
  assert.deepEqual((await again.calls.list(T, { limit: 10 })).map((c) => c.id), ['c2']);
});

test('a thread that dies is replaced by the next write, and nothing committed is lost', async (t) => {
  const store = open(t);
  await store.calls.insertMany([call('c1', 1_000)]);
  const first = store.callWriter.thread!;
  await first.terminate();
  await store.calls.insertMany([call('c2', 2_000)]);
  assert.notEqual(store.callWriter.thread, first, 'a new thread');
  assert.deepEqual((await store.calls.list(T, { limit: 10 })).map((c) => c.id), ['c2', 'c1']);
});

test('a write the database refuses fails that write only, with SQLite\'s error', async (t) => {
  const store = open(t);
  await store.calls.insertMany([call('c1', 1_000)]);
  store.callsDb.exec('DROP TABLE call_batches');
  await assert.rejects(store.calls.insertMany([call('c2', 2_000)]), /no such table: call_batches/);
  assert.equal(await store.calls.pruneBeyond(1, 10).catch((e: Error) => e.message), 'no such table: call_batches');
  store.callsDb.exec('CREATE TABLE call_batches AS SELECT * FROM call_seqs WHERE 0'); // any table of that name: the thread prepares again
  await assert.rejects(store.calls.insertMany([call('c3', 3_000)]), /call_batches has no column named|table call_batches has/);
});

test('close lets the last batch commit; after close a write is refused', async (t) => {
  const store = open(t);
  const pending = store.calls.insertMany([call('c1', 1_000)]);
  await store.callWriter.close();
  await pending;
  await assert.rejects(store.calls.insertMany([call('c2', 2_000)]), /closed/);
  assert.deepEqual((await store.calls.list(T, { limit: 10 })).map((c) => c.id), ['c1']);
});

test('a thread that cannot open calls.db is not restarted by every write: after the second death writes fail at once until a backoff passes', async (t) => {
  const store = open(t);
  const file = store.callsDb.name;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  mkdirSync(file); // a directory where the file was: SQLite cannot open it
  await assert.rejects(store.calls.insertMany([call('c1', 1_000)]), /the call log writer thread (failed: .*(SQLITE_CANTOPEN|unable to open)|ended \(exit code 1\))/);
  await assert.rejects(store.calls.insertMany([call('c2', 2_000)]), /the call log writer thread (failed: .*(SQLITE_CANTOPEN|unable to open)|ended \(exit code 1\))/);
  assert.equal(store.callWriter.threadsStarted, 2, 'the first death is replaced at once');
  for (let i = 0; i < 20; i++) await assert.rejects(store.calls.insertMany([call(`d${i}`, 3_000)]), /died 2 times in a row .*next try in \d+ ms/);
  assert.equal(store.callWriter.threadsStarted, 2, 'no thread started during the backoff');
  await new Promise((r) => setTimeout(r, 150)); // the first backoff is at most RESTART_MIN_MS (100 ms)
  await assert.rejects(store.calls.insertMany([call('c3', 4_000)]));
  assert.equal(store.callWriter.threadsStarted, 3, 'tried again once the backoff passed');
  rmSync(file, { recursive: true });
});

/** A thread of this process (Linux tid): its scheduling policy (0 normal, 5 SCHED_IDLE) and nice. */
function schedOf(tid: number | 'thread-self'): { policy: number; nice: number } {
  const stat = readFileSync(tid === 'thread-self' ? '/proc/thread-self/stat' : `/proc/self/task/${tid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return { policy: Number(f[38]), nice: Number(f[16]) };
}

const linux = process.platform === 'linux';

async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('the writer thread yields the CPU to calls once it writes 1,000 a second: SCHED_IDLE (nice 19 without chrt), the rest of the process untouched', { skip: !linux && 'Linux only' }, async (t) => {
  const main = schedOf('thread-self'); // the process's own (a CI may run the suite under nice)
  const store = open(t);
  await store.calls.insertMany([call('c1', 1_000)]);
  const tid = store.callWriter.tid!;
  assert.match(readFileSync(`/proc/self/task/${tid}/comm`, 'utf8'), /^eposgate-calls\n$/, 'the tid is the writer thread\'s');
  assert.equal(store.callWriter.priority, 'normal', 'a thread that writes little keeps its priority');
  assert.deepEqual(schedOf(tid), main);
  await store.calls.insertMany(Array.from({ length: 1_000 }, (_, i) => call(`b${i}`, 2_000 + i)));
  const hasChrt = spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0;
  await until(() => store.callWriter.priority !== 'normal', 5_000, 'the thread yields');
  assert.equal(store.callWriter.priority, hasChrt ? 'idle' : 'nice');
  if (hasChrt) assert.equal(schedOf(tid).policy, 5, 'SCHED_IDLE');
  else assert.deepEqual(schedOf(tid), { policy: main.policy, nice: 19 });
  assert.deepEqual(schedOf('thread-self'), main, 'the main thread keeps its priority');
  await store.calls.insertMany([call('c2', 9_000)]);
  assert.equal((await store.calls.list(T, { limit: 2_000 })).length, 1_002, 'and the writes go on');
});

test('callWriterPriority normal leaves the writer thread as any other, however much it writes', { skip: !linux && 'Linux only' }, async (t) => {
  const main = schedOf('thread-self');
  const store = open(t, 'normal');
  await store.calls.insertMany(Array.from({ length: 1_000 }, (_, i) => call(`b${i}`, 2_000 + i)));
  await store.calls.insertMany([call('c1', 9_000)]); // answered after any word on priority the last write would have sent
  assert.equal(store.callWriter.priority, 'normal');
  assert.deepEqual(schedOf(store.callWriter.tid!), main);
});
