#!/usr/bin/env node
// Runs the test suite (`npm test`) with few processes. Every test file run by `node --test` costs a
// process that loads tsx and the platform (~1 s CPU) before its first test; with ~100 files that was
// over a third of the suite's CPU time (402 s before the shards, 246 s after). So a few worker
// processes ("shards") share one queue of files, longest first: each takes the next file nobody has
// taken (an atomic mkdir per file), runs it, and takes another, so no shard idles while another has a
// backlog. Each file runs inside a suite of its own (`describe(file, () => import(file))`): node:test
// runs its tests one after another, as in a file of its own, and its top-level hooks (before/after)
// belong to that suite, so they run around that file's tests only. A file stays in a process of its
// own when it says so with a line `// test: own process` (none does today). Any file still runs
// alone with `node --test FILE`.
//
//   node scripts/test.mjs [--shards N] [--concurrency N] [--typecheck] [--list] [FILE...]
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MARKED = /^\/\/ test: own process$/m;
const LONG = /^\/\/ test: long$/m;

function testFiles(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/** A positive whole number after `name` in args (both removed); `fallback` when it is absent. */
function option(args, name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes a positive whole number`);
  args.splice(i, 2);
  return n;
}

const args = process.argv.slice(2);
// Four processes at once on two CPUs: the suite mostly waits (timeouts, sockets, child processes),
// so two at a time left a core idle (147 s of CPU in 130 s). Measured on a quiet machine: 130 s at 2,
// 85-99 s at 4 (six runs, all passing, the hostile tests' "victim p99 < 1 s" included), 88-93 s
// at 5-6, and at 8 the hostile HTTP test failed. An earlier session saw 3-4 flaky, while other
// suites ran on the same two cores; pass --concurrency 2 on a machine that busy.
const concurrency = option(args, '--concurrency', 4);
const shardsAsked = option(args, '--shards', 0);
const listOnly = args.includes('--list');
// `npm test`'s type check, run beside the tests: they leave a core idle part of the time (~126 s of
// CPU in ~81 s on two cores), and the check needs ~3 s of CPU (TypeScript 7). Its output is shown
// if it fails.
const typecheck = args.includes('--typecheck');
const named = args.filter((a) => !a.startsWith('--')).map((a) => resolve(a));
const files = named.length ? named : testFiles(join(ROOT, 'test'));

const alone = [];
const shared = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  (MARKED.test(text) ? alone : shared).push(file);
}

// Longest first: the long files start early and the short ones fill in at the end. A file's size
// stands in for its cost, except that a file saying `// test: long` (long but short in lines,
// mostly waiting) goes before all.
const cost = (f) => statSync(f).size + (LONG.test(readFileSync(f, 'utf8')) ? 1e9 : 0);
const queue = [...shared].sort((a, b) => cost(b) - cost(a));
// As many shards as processes run at once. A file in a process of its own waits for a free slot
// like any (node --test picks the order it starts them in: measured, the shards went first), so a
// long one would end the run late: mark a file so only when it must not share a process.
const shardCount = shardsAsked || concurrency;

if (listOnly) {
  console.log(`${shardCount} shards take, in this order: ${queue.map((f) => relative(ROOT, f)).join(' ')}`);
  console.log(`own process: ${alone.map((f) => relative(ROOT, f)).join(' ')}`);
  process.exit(0);
}

// Temp files (every test's data directory) on tmpfs when there is one: SQLite's fsyncs then cost
// nothing, which halves the wall time of the event-heavy files. A TMPDIR the caller set is kept.
// One directory per run, removed after it with whatever a test left there; open to all like /tmp,
// for the tests that run a command as another user.
const env = { ...process.env };
const dir = mkdtempSync(join(!env.TMPDIR && existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'eposgate-test-'));
chmodSync(dir, 0o1777);
if (!env.TMPDIR && dir.startsWith('/dev/shm/')) env.TMPDIR = dir;
// The queue, and the shard program: claim the next file by creating its claim directory (mkdir is
// atomic: one shard gets each), run it in its own suite, wait for that suite's last hook, repeat.
const claims = join(dir, 'claims');
mkdirSync(claims);
const queueFile = join(dir, 'queue.json');
writeFileSync(queueFile, JSON.stringify(queue.map((f) => ({ name: relative(ROOT, f), url: pathToFileURL(f).href }))));
const shardFiles = Array.from({ length: Math.min(shardCount, queue.length) }, (_, i) => {
  // .mts: an ES module wherever the temp directory is (no package.json says "type": "module" there).
  const path = join(dir, `shard-${i + 1}.test.mts`);
  writeFileSync(path, `import { after, describe } from 'node:test';
import { mkdirSync, readFileSync } from 'node:fs';
const queue = JSON.parse(readFileSync(${JSON.stringify(queueFile)}, 'utf8'));
for (let i = 0; i < queue.length; i++) {
  try { mkdirSync(${JSON.stringify(claims)} + '/' + i); } catch { continue; }
  // after() registered last runs after the file's own: the next file starts once this one cleaned up.
  await new Promise((done) => describe(queue[i].name, async () => {
    try { await import(queue[i].url); } finally { after(done); }
  }));
}
`);
  return path;
});
// TypeBox is ~200 ES modules; loaded after tsx, each goes through tsx's loader thread (~0.4 s CPU
// more per process). Imported first, it is loaded by Node alone, and the sources get the same module.
const child = spawn(process.execPath, [
  '--conditions=eposgate-source', '--import', '@sinclair/typebox', '--import', 'tsx',
  '--test', `--test-concurrency=${concurrency}`, ...alone, ...shardFiles,
], { cwd: ROOT, env, stdio: 'inherit' });
const checked = typecheck ? runTypecheck() : Promise.resolve(0);
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward).on('SIGTERM', forward);
child.on('exit', async (code, signal) => {
  const tests = code ?? (signal ? 1 : 0);
  try { rmSync(dir, { recursive: true, force: true }); } catch (e) { console.error(`could not remove ${dir}: ${e.message}`); }
  const types = await checked;
  if (types !== 0) console.error('npm run typecheck failed (above); the tests ran beside it');
  process.exitCode = tests || types;
});

/** `npm run typecheck`, its output held back and printed only if it fails; resolves to its exit code. */
function runTypecheck() {
  const tc = spawn('npm', ['run', 'typecheck', '--silent'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = [];
  tc.stdout.on('data', (d) => out.push(d));
  tc.stderr.on('data', (d) => out.push(d));
  return new Promise((resolve) => {
    tc.on('error', (e) => { console.error(`npm run typecheck could not start: ${e.message}`); resolve(1); });
    tc.on('close', (code) => {
      if (code !== 0) process.stderr.write(Buffer.concat(out));
      resolve(code ?? 1);
    });
  });
}
