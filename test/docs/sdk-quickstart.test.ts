// The quick starts of docs/sdk.md, run as written. Code blocks whose info string carries
// `doctest=<ids>` belong to the quick start(s) named (js, ts); `write=FILE` saves the block to the
// project folder, `run` runs it with bash and needs exit 0, `start` starts it in the background and
// waits for "connected", `expect` lists lines the last `run` must print. Each quick start gets an
// empty temp folder where `@eposgate/sdk`, `@eposgate/contract` and `eposgate` resolve as after the
// quick start's `npm install`s (node_modules links this checkout's packages, so their compiled
// dist/ is what the EPOS imports), a fresh sandbox key, and the real platform below standing in
// for `eposgate serve`. test/package/vendor-install.test.ts installs the real tarballs.
// test: long
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { tempDir, testPlatform, type TestPlatform } from '../helpers/platform.ts';

interface Block { lang: string; ids: string[]; action: 'write' | 'run' | 'start' | 'expect'; file?: string; text: string; line: number }

/** The marked fenced blocks of a markdown file, in document order. */
export function doctestBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(\S*)[ \t]+([^\n]*doctest=[^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (const m of markdown.matchAll(fence)) {
    const attrs = new Map<string, string>();
    for (const part of m[2].trim().split(/\s+/)) {
      const [k, v] = part.split('=');
      attrs.set(k, v ?? '');
    }
    const action = (['write', 'run', 'start', 'expect'] as const).find((a) => attrs.has(a));
    const line = markdown.slice(0, m.index).split('\n').length;
    if (!action) throw new Error(`docs/sdk.md:${line}: a doctest block needs write=FILE, run, start or expect`);
    blocks.push({ lang: m[1], ids: attrs.get('doctest')!.split(','), action, file: attrs.get('write'), text: m[3], line });
  }
  return blocks;
}

const DOC = readFileSync(join(ROOT, 'docs/sdk.md'), 'utf8');
const modules = realpathSync(join(ROOT, 'node_modules'));

/** What the quick start's `npm install`s of the tarballs and of typescript, tsx and @types/node leave behind. */
function installInto(dir: string): void {
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '.bin'), { recursive: true });
  mkdirSync(join(nm, '@types'));
  symlinkSync(join(ROOT, 'packages/eposgate'), join(nm, 'eposgate'));
  mkdirSync(join(nm, '@eposgate'));
  for (const pkg of ['contract', 'sdk']) symlinkSync(join(ROOT, 'packages', pkg), join(nm, '@eposgate', pkg));
  for (const pkg of ['tsx', '@types/node']) symlinkSync(join(modules, pkg), join(nm, pkg));
  // `npm install typescript` installs TypeScript 7 today (the native compiler); this checkout has it
  // as typescript-native (its own build still runs on 5, which openapi-typescript needs).
  symlinkSync(join(modules, 'typescript-native'), join(nm, 'typescript'));
  // The package's own bin, as npm links it: it runs the compiled CLI's bundle, as an installed package does.
  symlinkSync('../eposgate/bin/eposgate', join(nm, '.bin', 'eposgate'));
  symlinkSync('../typescript/bin/tsc', join(nm, '.bin', 'tsc'));
  symlinkSync('../tsx/dist/cli.mjs', join(nm, '.bin', 'tsx'));
}

function sh(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

function startInBackground(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // Its own process group: npx runs the command as a grandchild, and stop() must reach it too.
    const child = spawn('bash', ['-c', `exec ${command.trim()}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const timer = setTimeout(() => { void stop(child); reject(new Error(`\`${command.trim()}\` did not connect within 15 s:\n${out}`)); }, 15_000);
    const onData = (d: Buffer) => {
      out += d;
      if (/connected/.test(out)) { clearTimeout(timer); resolve(child); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`\`${command.trim()}\` exited with ${code} before it connected:\n${out}`)); });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const group = (signal: NodeJS.Signals) => { try { process.kill(-child.pid!, signal); } catch { /* already gone */ } };
    const kill = setTimeout(() => group('SIGKILL'), 5_000);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    group('SIGTERM');
  });
}

let platform: TestPlatform;
before(async () => {
  assert.ok(existsSync(join(ROOT, 'packages/sdk/dist/index.js')), 'dist/ is not built: run `npm run build` (npm ci does it)');
  platform = await testPlatform();
});
after(() => platform?.destroy());

test('docs/sdk.md marks the blocks of both quick starts, each with a file, a start and a conformance run', () => {
  const blocks = doctestBlocks(DOC);
  for (const id of ['js', 'ts']) {
    const mine = blocks.filter((b) => b.ids.includes(id));
    assert.ok(mine.some((b) => b.action === 'write' && b.file === `epos.${id}`), `${id}: a block writes epos.${id}`);
    assert.ok(mine.some((b) => b.action === 'start'), `${id}: a block starts the EPOS`);
    assert.ok(mine.some((b) => b.action === 'run' && /eposgate test/.test(b.text)), `${id}: a block runs eposgate test`);
    assert.ok(mine.some((b) => b.action === 'expect'), `${id}: a block says what the run prints`);
    // A vendor's EPOS depends on the SDK package; the platform package is a dev tool for the CLI.
    assert.match(mine.find((b) => b.file === `epos.${id}`)!.text, /from '@eposgate\/sdk'/, `${id}: the EPOS imports @eposgate/sdk`);
    const manifest = JSON.parse(mine.find((b) => b.file === 'package.json')!.text) as { dependencies: Record<string, string>; devDependencies?: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['@eposgate/contract', '@eposgate/sdk'], `${id}: run-time dependencies`);
    assert.ok(manifest.devDependencies?.eposgate, `${id}: eposgate is a dev dependency`);
  }
});

describe('the quick starts of docs/sdk.md, run as written, end in a passing conformance run', { concurrency: 2 }, () => {
  for (const id of ['js', 'ts']) {
    test(`${id} quick start`, async (t) => {
      const dir = tempDir(`eposgate-quickstart-${id}-`);
      const running: ChildProcess[] = [];
      t.after(async () => {
        await Promise.all(running.map(stop));
        rmSync(dir, { recursive: true, force: true });
      });
      installInto(dir);
      const { key } = await platform.keys.create(`quickstart-${id}`, 'sandbox');
      const env: NodeJS.ProcessEnv = { ...process.env, EPOSGATE_URL: platform.url, EPOSGATE_API_KEY: key };
      delete env.NODE_OPTIONS; // the EPOS must run on plain node, as a vendor's does
      let last = '';
      const expects: Block[] = [];
      for (const b of doctestBlocks(DOC).filter((x) => x.ids.includes(id))) {
        const where = `docs/sdk.md:${b.line}`;
        if (b.action === 'write') writeFileSync(join(dir, b.file!), b.text);
        else if (b.action === 'start') running.push(await startInBackground(b.text, dir, env));
        else if (b.action === 'expect') expects.push(b);
        else {
          const t0 = Date.now();
          const r = await sh(b.text, dir, env);
          t.diagnostic(`${where} \`${b.text.trim()}\`: ${Date.now() - t0} ms`);
          assert.equal(r.code, 0, `${where}: \`${b.text.trim()}\` failed:\n${r.out}`);
          last = r.out;
        }
      }
      for (const b of expects) {
        for (const line of b.text.split('\n').filter((l) => l.trim())) {
          assert.ok(last.includes(line.trim()), `docs/sdk.md:${b.line}: the last run did not print "${line.trim()}":\n${last}`);
        }
      }
      const order = await fetch(`${platform.url}/epos/data/v1/orders/ord_1`, { headers: { authorization: `Basic ${key}`, 'software-house-id': 'doc-test' } });
      assert.equal(order.status, 200, 'the quick start EPOS answers through the platform');
      const body = (await order.json()) as { payable: boolean; paidAmount: { value: number }; totalAmount: { value: number } };
      assert.equal(body.payable, false, 'Pay at Table paid ord_1 in full');
      assert.equal(body.paidAmount.value, body.totalAmount.value);
    });
  }
});
