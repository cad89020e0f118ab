// Every start-up failure is one line: what failed, the path or port, what to do. The errors are the
// real ones (a port in use, a file as --data, ...); the wording and exit codes are checked in-process,
// and through the compiled CLI once: the exit code and the stack trace only --debug prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSecretKeyEnv, explainStartupError, StartupError } from '../../packages/eposgate/src/cli/startup.ts';
import { resolvePort } from '../../packages/eposgate/src/cli/options.ts';
import { startPlatform } from '../../packages/eposgate/src/platform/platform.ts';
import { BIN, ROOT, eposgate, eposgateBin } from '../helpers/cli.ts';
import { tempDir, testPlatform } from '../helpers/platform.ts';

async function failure(opts: Parameters<typeof startPlatform>[0]): Promise<unknown> {
  const err = await startPlatform(opts).then(
    async (p) => { await p.close(); return undefined; },
    (e: unknown) => e,
  );
  assert.ok(err, 'the start failed');
  return err;
}

function oneLine(s: string): string {
  assert.doesNotMatch(s, /\n/, 'one line');
  assert.doesNotMatch(s, /\bat .*:\d+:\d+/, 'no stack');
  return s;
}

test('a port in use names the port and says to choose another', async (t) => {
  const holder = await testPlatform();
  t.after(() => holder.destroy());
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const err = await failure({ dataDir, port: holder.port });
  assert.equal(oneLine(explainStartupError(err, { command: 'serve', dataDir, port: holder.port, host: '127.0.0.1' })),
    `port ${holder.port} on 127.0.0.1 is already in use: stop what listens there, or choose another port with --port N (or PORT=N)`);
});

test('--data pointing at a file, or below one, says it is not a directory', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'notes.txt');
  writeFileSync(file, 'x');
  assert.equal(oneLine(explainStartupError(await failure({ dataDir: file, port: 0 }), { command: 'serve', dataDir: file })),
    `--data ${file} is not a directory (${file} is a file): point --data at a directory, new or the platform's`);
  const below = join(file, 'data');
  assert.equal(oneLine(explainStartupError(await failure({ dataDir: below, port: 0 }), { command: 'demo', dataDir: below })),
    `--data ${below} is not a directory (a part of ${below} is a file): point --data at a directory, new or the platform's`);
});

test('a database SQLite cannot open names the file (the SqliteError alone has no path)', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  mkdirSync(join(dataDir, 'platform.db')); // a directory where the database file should be
  const err = await failure({ dataDir, port: 0 });
  assert.equal((err as { code?: string }).code, 'SQLITE_CANTOPEN');
  assert.equal(oneLine(explainStartupError(err, { command: 'serve', dataDir })),
    `cannot open the database ${join(dataDir, 'platform.db')}: check that ${dataDir} is a directory this user can write, and that platform.db in it is a file`);
});

test('a data dir this user cannot write names the path and the fix', () => {
  // The tests may run as root, who can write anywhere: the errno error is built as fs throws it.
  const err = Object.assign(new Error("EACCES: permission denied, open '/srv/data/platform.lock'"), { code: 'EACCES', syscall: 'open', path: '/srv/data/platform.lock' });
  assert.equal(oneLine(explainStartupError(err, { command: 'serve', dataDir: '/srv/data' })),
    'cannot write to data dir /srv/data (EACCES on /srv/data/platform.lock): give this user write access to it, or use another --data');
  const ro = Object.assign(new Error('EROFS'), { code: 'EROFS', syscall: 'mkdir', path: '/mnt/ro/data' });
  assert.match(explainStartupError(ro, { command: 'serve', dataDir: '/mnt/ro/data' }), /read-only file system; use another --data$/);
});

test('serve on a data dir this user cannot write exits 1 naming the dir', async (t) => {
  const dataDir = tempDir();
  t.after(() => { chmodSync(dataDir, 0o700); rmSync(dataDir, { recursive: true, force: true }); });
  // Root writes anywhere: then the command runs as nobody, on a directory left to root.
  const asRoot = process.getuid?.() === 0;
  chmodSync(dataDir, asRoot ? 0o755 : 0o555);
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(BIN, ['serve', '--port', '0', '--data', dataDir], { cwd: ROOT, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) },
      (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? null : 0, stdout, stderr }));
  });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, `error: cannot write to data dir ${dataDir} (EACCES on ${join(dataDir, 'platform.lock')}): give this user write access to it, or use another --data\n`);
});

test('a bad EPOSGATE_SECRET_KEY is refused before anything starts, saying how to make one', () => {
  assert.throws(() => checkSecretKeyEnv('not-a-key'), (e: unknown) => e instanceof StartupError
    && oneLine(e.message) === 'EPOSGATE_SECRET_KEY is not a key: it must be base64 of 32 bytes (it decodes to 6); make one with: openssl rand -base64 32');
  assert.throws(() => checkSecretKeyEnv('é'.repeat(44)), StartupError);
  checkSecretKeyEnv(Buffer.alloc(32, 9).toString('base64'));
  checkSecretKeyEnv(undefined);
});

test('a damaged DATA/secret.key names the file and says to restore it', async (t) => {
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  writeFileSync(join(dataDir, 'secret.key'), 'dG9vIHNob3J0\n');
  const saved = process.env.EPOSGATE_SECRET_KEY;
  delete process.env.EPOSGATE_SECRET_KEY;
  t.after(() => { if (saved !== undefined) process.env.EPOSGATE_SECRET_KEY = saved; });
  const err = await failure({ dataDir, port: 0 });
  assert.equal(oneLine(explainStartupError(err, { command: 'serve', dataDir })),
    `${join(dataDir, 'secret.key')} does not hold a key (base64 of 32 bytes; it decodes to 9 bytes): restore it from your backup, or stored REST passwords cannot be read`);
});

test('a held data dir, a host that is not ours and a stray argument are each one line', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const held = await failure({ dataDir: p.dataDir, port: 0 });
  assert.match(oneLine(explainStartupError(held, { command: 'demo', dataDir: p.dataDir })),
    new RegExp(`^data dir ${p.dataDir} is in use by eposgate pid ${process.pid} \\(started \\S+, port ${p.port}\\); stop it or use another --data$`));
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const host = await failure({ dataDir, port: 0, host: '192.0.2.1' });
  assert.equal(oneLine(explainStartupError(host, { command: 'serve', dataDir, host: '192.0.2.1', port: 0 })),
    'cannot listen on host 192.0.2.1: it is not an address of this machine; use --host 127.0.0.1, or 0.0.0.0 for every interface');
  const stray = (() => { try { resolvePort(undefined, ['extra'], {}); } catch (e) { return e; } })();
  assert.equal(oneLine(explainStartupError(stray, { command: 'serve' })), 'unexpected argument extra');
  assert.equal(explainStartupError(new Error('something else'), { command: 'serve' }), 'eposgate serve could not start: something else');
});

test('serve prints one error line and exits 1; --debug adds the stack', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'data');
  writeFileSync(file, '');
  const plain = await eposgateBin(['serve', '--port', '0', '--data', file]);
  assert.equal(plain.code, 1);
  assert.equal(plain.stdout, '');
  assert.equal(plain.stderr, `error: --data ${file} is not a directory (${file} is a file): point --data at a directory, new or the platform's\n`);
  assert.deepEqual(await eposgate(['serve', '--port', '0', '--data', file]), plain, 'in-process, the same');
  const debug = await eposgateBin(['serve', '--port', '0', '--data', file, '--debug'], { EPOSGATE_SECRET_KEY: '' });
  assert.equal(debug.code, 1);
  assert.ok(debug.stderr.startsWith(plain.stderr), debug.stderr);
  assert.match(debug.stderr, /\n\s+at startPlatform \(/, 'the stack follows, naming where it was thrown');
});

test('demo with a bad EPOSGATE_SECRET_KEY exits 1 with the one line', async () => {
  const r = await eposgate(['demo', '--port', '0', '--data', '/nonexistent/never-made'], { EPOSGATE_SECRET_KEY: 'short' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: EPOSGATE_SECRET_KEY is not a key: it must be base64 of 32 bytes \(it decodes to 3\); make one with: openssl rand -base64 32\n$/);
});

test('the reference EPOS names the platform it cannot reach, and a REST port in use without the PORT hint', async () => {
  const closed = await (async () => {
    const s = (await import('node:net')).createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as { port: number };
    await new Promise((r) => s.close(r));
    return port;
  })();
  const platformUrl = `http://127.0.0.1:${closed}`;
  const refused = await fetch(`${platformUrl}/epos/integrations`).catch((e: unknown) => e);
  assert.equal(oneLine(explainStartupError(refused, { command: 'epos', platformUrl, dbFile: './data/reference-epos.db' })),
    `cannot reach the platform at ${platformUrl} (ECONNREFUSED): start it (eposgate serve) or check --platform`);
  const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen', port: 4000, address: '127.0.0.1' });
  assert.equal(explainStartupError(inUse, { command: 'epos', platformUrl }),
    'port 4000 on 127.0.0.1 is already in use: stop what listens there, or choose another port with --port N');
});
