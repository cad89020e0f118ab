#!/usr/bin/env node
// Runs the test suite (`npm test`) with few processes. Every test file run by `node --test` costs a
// process that loads tsx and the platform (~1 s CPU) before its first test; with ~90 files that was
// over a third of the suite's CPU time (402 s before the shards, 246 s after). So files are dealt
// into a few shards, each one process that imports its files in turn (node:test runs their
// top-level tests one after another, as in a file of its own), and the shards run side by side.
// A file stays in a process of its own when it registers top-level hooks (at the root of a shard
// they would run once around all its files, keeping that file's resources open through the others'
// tests) or says so with a line `// test: own process`. Any file still runs alone with `node --test FILE`.
//
//   node scripts/test.mjs [--shards N] [--concurrency N] [--list] [FILE...]
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT_HOOKS = /^(?:test\.)?(?:before|after|beforeEach|afterEach)\(/m;
const MARKED = /^\/\/ test: own process$/m;

function testFiles(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

function option(args, name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes a positive whole number`);
  args.splice(i, 2);
  return n;
}

const args = process.argv.slice(2);
const shardCount = option(args, '--shards', 3);
// Four processes at once on two CPUs: the suite mostly waits (timeouts, sockets, child processes),
// so two at a time left a core idle (147 s of CPU in 130 s). Measured on a quiet machine: 130 s at 2,
// 85-99 s at 4 (six runs, all passing, the hostile tests' "victim p99 < 1 s" included), 88-93 s
// at 5-6, and at 8 the hostile HTTP test failed. An earlier session saw 3-4 flaky, while other
// suites ran on the same two cores; pass --concurrency 2 on a machine that busy.
const concurrency = option(args, '--concurrency', 4);
const listOnly = args.includes('--list');
const named = args.filter((a) => !a.startsWith('--')).map((a) => resolve(a));
const files = named.length ? named : testFiles(join(ROOT, 'test'));

const alone = [];
const shared = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  (ROOT_HOOKS.test(text) || MARKED.test(text) ? alone : shared).push(file);
}
// Files marked for a process of their own are the long ones: they start first among these.
alone.sort((a, b) => Number(MARKED.test(readFileSync(b, 'utf8'))) - Number(MARKED.test(readFileSync(a, 'utf8'))));

// Longest first onto the lightest shard; a file's size stands in for its cost.
const shards = Array.from({ length: Math.min(shardCount, shared.length) }, () => ({ weight: 0, files: [] }));
for (const file of [...shared].sort((a, b) => statSync(b).size - statSync(a).size)) {
  const lightest = shards.reduce((a, b) => (b.weight < a.weight ? b : a));
  lightest.weight += statSync(file).size;
  lightest.files.push(file);
}

if (listOnly) {
  shards.forEach((s, i) => console.log(`shard ${i + 1}: ${s.files.map((f) => relative(ROOT, f)).join(' ')}`));
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
const shardFiles = shards.map((s, i) => {
  // .mts: an ES module wherever the temp directory is (no package.json says "type": "module" there).
  const path = join(dir, `shard-${i + 1}.test.mts`);
  // In file order within a shard, so a run is reproducible.
  writeFileSync(path, s.files.sort().map((f) => `import ${JSON.stringify(pathToFileURL(f).href)};\n`).join(''));
  return path;
});
// Shards first: they are the longest, so they should start first.
// TypeBox is ~200 ES modules; loaded after tsx, each goes through tsx's loader thread (~0.4 s CPU
// more per process). Imported first, it is loaded by Node alone, and the sources get the same module.
const child = spawn(process.execPath, [
  '--conditions=eposgate-source', '--import', '@sinclair/typebox', '--import', 'tsx',
  '--test', `--test-concurrency=${concurrency}`, ...shardFiles, ...alone,
], { cwd: ROOT, env, stdio: 'inherit' });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward).on('SIGTERM', forward);
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
  try { rmSync(dir, { recursive: true, force: true }); } catch (e) { console.error(`could not remove ${dir}: ${e.message}`); }
});
