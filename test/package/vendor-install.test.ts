// What a vendor gets: @eposgate/contract and @eposgate/sdk packed with `npm pack`, installed by a
// real `npm install` (their dependencies from the registry) into an empty folder. The install stays
// small (at most 15 packages) and builds nothing native; the installed types import nothing that is
// not installed; and a plain ESM script there, on plain node, defines an EPOS, registers it and
// connects over WebSocket to a real platform, which then routes a product call to its handler.
// Needs the registry (or a warm npm cache); the timing and count are printed as diagnostics.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { tempDir, testPlatform, type TestPlatform } from '../helpers/platform.ts';

const MAX_PACKAGES = 15;
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/** npm as a vendor runs it: none of the npm_* settings `npm test` exports, nor this process's node options. */
function vendorEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: vendorEnv(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${err.killed ? `killed after ${timeoutMs} ms` : `exit ${err.code}`}):\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** `npm pack` of one workspace package into `dest`; answers the tarball's path. */
async function pack(pkg: string, dest: string): Promise<string> {
  const out = await run('npm', ['pack', '--json', '--pack-destination', dest], join(ROOT, 'packages', pkg), 60_000);
  return join(dest, (JSON.parse(out) as Array<{ filename: string }>)[0].filename);
}

/** Every installed package's folder under node_modules (scoped ones included, .bin and dot files not). */
function installedPackages(nm: string): string[] {
  if (!existsSync(nm)) return [];
  return readdirSync(nm).filter((n) => !n.startsWith('.')).flatMap((name) => {
    const dir = join(nm, name);
    const own = name.startsWith('@') ? readdirSync(dir).map((n) => join(dir, n)) : [dir];
    return own.flatMap((d) => [d, ...installedPackages(join(d, 'node_modules'))]);
  });
}

/** The bare specifiers (`from 'x'`, `import('x')`) in the .d.ts files under a folder. */
function typeImports(dir: string): Array<{ file: string; spec: string }> {
  const found: Array<{ file: string; spec: string }> = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (!name.endsWith('.d.ts')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"]([^'".][^'"]*)['"]/g)) found.push({ file: join(dir, name), spec: m[1] });
  }
  return found;
}

const VENDOR_SCRIPT = `
import { connect, defineEpos, register } from '@eposgate/sdk';

const platformUrl = process.env.EPOSGATE_URL;
const apiKey = process.env.EPOSGATE_API_KEY;
const softwareHouseId = 'vendor-install-test';
const gbp = (value) => ({ value, currencyCode: 'GBP' });

const epos = defineEpos({
  GetOrderById: ({ orderId }) => {
    console.log('handler GetOrderById ' + orderId);
    return { id: orderId, status: 'New', details: { orderType: 'DineIn', dineIn: { tableId: 't1' } },
      totalAmount: gbp(1234), paidAmount: gbp(0), payable: true };
  },
});

await register(epos, { platformUrl, apiKey, softwareHouseId, transport: 'ws' });
const conn = connect(epos, { url: platformUrl.replace(/^http/, 'ws') + '/epos', apiKey, softwareHouseId });
conn.on('connect', () => console.log('connected; the SDK is ' + import.meta.resolve('@eposgate/sdk')));
conn.on('error', (err) => console.error(err.message));
process.on('SIGTERM', () => void conn.close().then(() => process.exit(0)));
`;

let dir: string;
let platform: TestPlatform | undefined;
let child: ChildProcess | undefined;

before(() => {
  for (const pkg of ['contract', 'sdk']) {
    assert.ok(existsSync(join(ROOT, 'packages', pkg, 'dist/index.js')), `packages/${pkg}/dist is not built: run \`npm run build\``);
  }
  dir = tempDir('eposgate-vendor-');
});

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child!.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await platform?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the SDK installs from its tarballs into an empty folder and an EPOS built on it serves a product call', { timeout: 240_000 }, async (t) => {
  const tarballs = join(dir, 'tarballs');
  const app = join(dir, 'my-epos');
  mkdirSync(tarballs);
  mkdirSync(app);
  const packed = [await pack('contract', tarballs), await pack('sdk', tarballs)];
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-epos', private: true, type: 'module' }, null, 2));

  const t0 = Date.now();
  await run('npm', ['install', '--no-audit', '--no-fund', ...packed], app, 180_000);
  const installMs = Date.now() - t0;

  // The count, two ways: npm's own view of the tree, and the folders on disk.
  const nm = join(app, 'node_modules');
  const listed = (await run('npm', ['ls', '--all', '--parseable'], app, 60_000)).split('\n').filter((l) => l.trim() && l.trim() !== app);
  const onDisk = installedPackages(nm);
  const names = onDisk.map((d) => relative(nm, d)).sort();
  t.diagnostic(`vendor install: ${onDisk.length} packages in ${installMs} ms (${names.join(', ')})`);
  assert.equal(listed.length, onDisk.length, `npm ls lists ${listed.length} packages, node_modules holds ${onDisk.length}`);
  assert.ok(onDisk.length <= MAX_PACKAGES, `${onDisk.length} packages installed, the target is at most ${MAX_PACKAGES}: ${names.join(', ')}`);
  assert.ok(names.includes('@eposgate/sdk') && names.includes('@eposgate/contract'));

  // Nothing runs or compiles at install time: no install scripts, no node-gyp build.
  const building = onDisk.flatMap((d) => {
    const manifest = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { scripts?: Record<string, string>; gypfile?: boolean };
    const scripts = INSTALL_SCRIPTS.filter((s) => manifest.scripts?.[s]);
    const gyp = existsSync(join(d, 'binding.gyp')) || manifest.gypfile === true;
    return scripts.length || gyp ? [`${relative(nm, d)}: ${[...scripts, ...(gyp ? ['binding.gyp'] : [])].join(', ')}`] : [];
  });
  assert.deepEqual(building, [], 'packages with install scripts or a native build');

  // The installed types import only what is installed (fastify is an optional peer: never needed).
  const missing = ['@eposgate/sdk', '@eposgate/contract'].flatMap((pkg) => typeImports(join(nm, pkg, 'dist')))
    .filter(({ spec }) => !spec.startsWith('node:'))
    .filter(({ spec }) => !existsSync(join(nm, ...spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1))))
    .map(({ file, spec }) => `${relative(nm, file)} imports '${spec}'`);
  assert.deepEqual(missing, [], 'type imports of packages the install does not hold');

  // A plain ESM script on plain node, resolving the SDK from its own node_modules.
  platform = await testPlatform();
  const { key } = await platform.keys.create('vendor-install', 'sandbox');
  writeFileSync(join(app, 'epos.mjs'), VENDOR_SCRIPT);
  const epos = spawn(process.execPath, ['epos.mjs'], {
    cwd: app, env: vendorEnv({ EPOSGATE_URL: platform.url, EPOSGATE_API_KEY: key }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = epos;
  let out = '';
  epos.stdout!.on('data', (d: Buffer) => (out += d));
  epos.stderr!.on('data', (d: Buffer) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the vendor's EPOS did not connect within 30 s:\n${out}`)), 30_000);
    epos.stdout!.on('data', () => { if (out.includes('connected')) { clearTimeout(timer); resolve(); } });
    epos.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the vendor's EPOS exited with ${code} before it connected:\n${out}`)); });
  });
  assert.match(out, new RegExp(`the SDK is file://${realpathSync(app).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/node_modules/@eposgate/sdk/dist/index\\.js`), out);

  const res = await fetch(`${platform.url}/epos/data/v1/orders/ord_vendor_1`, {
    headers: { authorization: `Basic ${key}`, 'software-house-id': 'vendor-install-test' },
  });
  const body = (await res.json()) as { id?: string; totalAmount?: { value: number } };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.id, 'ord_vendor_1');
  assert.equal(body.totalAmount?.value, 1234);
  assert.match(out, /handler GetOrderById ord_vendor_1/, 'the call reached the vendor\'s handler');
});
