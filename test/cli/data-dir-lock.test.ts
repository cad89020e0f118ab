// One running platform owns a data directory: DATA/platform.lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { backupDataDir } from '../../packages/eposgate/src/cli/backup.ts';
import { DataDirInUseError, LOCK_FILE } from '../../packages/eposgate/src/platform/dataDirLock.ts';
import { startPlatform } from '../../packages/eposgate/src/platform/platform.ts';
import { eposgate, eposgateBin } from '../helpers/cli.ts';
import { tempDir, testPlatform } from '../helpers/platform.ts';

const FLOW_ID = '11111111-2222-4333-8444-555555555555';

/** A flow the platform is running: IN_PROGRESS, as a crash would leave it too. */
async function runningFlow(p: { store: { flows: { insert(f: unknown): Promise<unknown> } } }): Promise<void> {
  const at = new Date().toISOString();
  await p.store.flows.insert({
    flowID: FLOW_ID, flowName: 'Get Order through EPOS Data API', status: 'IN_PROGRESS', startedAt: at,
    steps: [{ name: 'Get order ord_0001 (GetOrderById)', status: 'IN_PROGRESS', startedAt: at, additionalInformation: [] }],
    tenant: { accountId: 'acc-lock', env: 'sandbox' }, flow: 'Get Order', params: { orderId: 'ord_0001' },
  });
}

async function flowStatus(p: { store: { flows: { get(tenant: { accountId: string; env: 'sandbox' }, id: string): Promise<{ status: string } | undefined> } } }): Promise<string | undefined> {
  return (await p.store.flows.get({ accountId: 'acc-lock', env: 'sandbox' }, FLOW_ID))?.status;
}

function lockOf(dataDir: string): { pid: number; host: string; port: number; startedAt: string } {
  return JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
}

test('a second serve on a held data dir refuses in one line naming the holder, and the first one\'s running flow is not marked FAILURE', async (t) => {
  const first = await testPlatform();
  t.after(() => first.destroy());
  await runningFlow(first);
  const lock = lockOf(first.dataDir);
  assert.equal(lock.pid, process.pid);
  assert.equal(lock.port, first.port, 'the lock names the port listened on');

  const second = await eposgate(['serve', '--port', '0', '--data', first.dataDir, '--log-level', 'silent']);
  assert.equal(second.code, 1);
  assert.equal(second.stderr, `error: data dir ${first.dataDir} is in use by eposgate pid ${process.pid} (started ${lock.startedAt}, port ${first.port}); stop it or use another --data\n`);
  assert.equal(await flowStatus(first), 'IN_PROGRESS');
  assert.deepEqual(lockOf(first.dataDir), lock, 'the refused start left the lock alone');
});

test('a second platform in the same process is refused too, and the holder keeps running', async (t) => {
  const first = await testPlatform();
  t.after(() => first.destroy());
  const err = await startPlatform({ dataDir: first.dataDir, port: 0 }).catch((e: unknown) => e);
  assert.ok(err instanceof DataDirInUseError, String(err));
  assert.equal(err.holder?.port, first.port);
  assert.equal((await fetch(`${first.url}/epos/integrations`)).status, 401, 'the first still answers');
});

test('a start that fails to listen (port in use) runs no recovery and leaves no lock behind', async (t) => {
  const holder = await testPlatform();
  t.after(() => holder.destroy());
  // The case: a platform started on a data dir whose flows are running, on a port in use.
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const setup = await testPlatform({ dataDir });
  await runningFlow(setup);
  await setup.stop();

  const err = await startPlatform({ dataDir, port: holder.port }).catch((e: unknown) => e as NodeJS.ErrnoException);
  assert.equal((err as NodeJS.ErrnoException).code, 'EADDRINUSE');
  assert.equal(existsSync(join(dataDir, LOCK_FILE)), false);
  const { SqliteStore } = await import('../../packages/eposgate/src/platform/store/sqlite/index.ts');
  const store = new SqliteStore(dataDir);
  try {
    assert.equal(await flowStatus({ store }), 'IN_PROGRESS', 'recovery did not run for a start that never listened');
  } finally {
    await store.close();
  }
});

test('close releases the lock; a restart takes it and recovers the flows the last run left IN_PROGRESS', async (t) => {
  const first = await testPlatform();
  await runningFlow(first);
  await first.stop();
  assert.equal(existsSync(join(first.dataDir, LOCK_FILE)), false);
  const again = await testPlatform({ dataDir: first.dataDir });
  t.after(() => again.destroy());
  assert.equal(lockOf(first.dataDir).port, again.port);
  assert.equal(await flowStatus(again), 'FAILURE');
});

test('a lock left by a process that is gone (kill -9) is taken over', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(stdout);
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: deadPid, host: hostname(), port: 8080, startedAt: '2026-01-01T00:00:00.000Z' }));
  const p = await testPlatform({ dataDir });
  t.after(() => p.stop());
  assert.deepEqual({ pid: lockOf(dataDir).pid, port: lockOf(dataDir).port }, { pid: process.pid, port: p.port });
});

test('a lock whose PID now belongs to another program (after a reboot) is taken over', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => sleeper.kill('SIGKILL'));
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: sleeper.pid, host: hostname(), port: 8080, startedAt: '2026-01-01T00:00:00.000Z' }));
  const p = await testPlatform({ dataDir });
  t.after(() => p.stop());
  assert.equal(lockOf(dataDir).pid, process.pid);
});

test('a lock held from another host is not taken over: its process cannot be checked from here', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const other = { pid: 4242, host: 'another-host.example', port: 8080, startedAt: '2026-01-01T00:00:00.000Z' };
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(other));
  const err = await startPlatform({ dataDir, port: 0 }).catch((e: unknown) => e);
  assert.ok(err instanceof DataDirInUseError);
  assert.equal(err.message, `data dir ${dataDir} is in use by eposgate pid 4242 on host another-host.example (started 2026-01-01T00:00:00.000Z, port 8080); stop it or use another --data (if it no longer runs, delete ${join(dataDir, LOCK_FILE)})`);
  assert.deepEqual(lockOf(dataDir), other);
});

test('keys and backup keep working on a data dir a running platform holds', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  // A separate process, as a user runs it: in this one a busy wait on the lock would stall the platform that holds it.
  const created = await eposgateBin(['keys', 'create', '--data', p.dataDir, '--account', 'acc-lock', '--env', 'sandbox']);
  assert.equal(created.code, 0, created.stderr);
  const key = created.stdout.trim().split('\n').at(-1)!;
  const res = await fetch(`${p.url}/epos/integrations`, { headers: { authorization: `Basic ${key}`, 'software-house-id': 'shid' } });
  assert.equal(res.status, 200, 'the running platform sees the key made beside it');
  const out = join(tempDir(), 'backup');
  t.after(() => rmSync(join(out, '..'), { recursive: true, force: true }));
  const r = await backupDataDir(p.dataDir, out);
  assert.ok(r.pages > 0);
  assert.equal(existsSync(join(out, LOCK_FILE)), false, 'the lock is not copied');
});
