#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js and everything it imports, our packages and their
// dependencies alike) into one ES module, dist/bundle/cli/eposgate.mjs, which bin/eposgate runs.
// Why: loading ~900 module files cost every start of `eposgate` ~0.6 s of CPU before its first
// line of work; one file costs ~0.2 s (docs/architecture.md, "The CLI bundle"). The library entry
// points (dist/index.js, dist/sdk.js, …) stay unbundled. Run by the root `npm run build`.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
// Three levels below the package, like dist/platform/server/console.js: paths a module finds
// relative to itself (console.ts's '../../../dist/console/') land on the same files.
const OUT = join(PKG, 'dist', 'bundle', 'cli', 'eposgate.mjs');
const SDK_PACKAGE = join(PKG, '..', 'sdk', 'package.json');

/** The SDK reads its version from its package.json beside dist/, which is not beside the bundle: it is written in. */
const sdkVersion = {
  name: 'sdk-version',
  setup(b) {
    b.onLoad({ filter: /[\\/]sdk[\\/](dist|src)[\\/]version\.(js|ts)$/ }, () => {
      const { version } = JSON.parse(readFileSync(SDK_PACKAGE, 'utf8'));
      return { contents: `export const SDK = { name: '@eposgate/sdk', version: ${JSON.stringify(version)} };`, loader: 'js' };
    });
  },
};

// The files the last bundle was made from (esbuild's metafile, with the SDK's package.json and
// this script) and a hash of their contents: when none changed, the bundle stands. `npm start` and
// `npm test` build first, and bundling again cost ~0.6 s and ~1 s of CPU each time. Contents, not
// mtimes: npm installs packages with their files dated 1985, so an upgraded dependency would look
// older than the bundle.
const INPUTS = join(PKG, 'dist', '.bundle-inputs.json'); // left out of the package (package.json "files")
function digest(files) {
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(f + '\0');
    try { hash.update(readFileSync(f)); } catch { hash.update('(missing)'); }
  }
  return hash.digest('hex');
}
function upToDate() {
  try {
    const last = JSON.parse(readFileSync(INPUTS, 'utf8'));
    return existsSync(OUT) && digest(last.files) === last.digest;
  } catch {
    return false;
  }
}
if (!process.env.EPOSGATE_BUILD_FORCE && upToDate()) process.exit(0);

const started = performance.now();
const result = await build({
  entryPoints: [join(PKG, 'dist', 'cli', 'main.js')],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Native (better-sqlite3) and optional native (pg-native) modules load from node_modules.
  external: ['better-sqlite3', 'pg-native'],
  // CommonJS dependencies inside an ES module still call require().
  banner: { js: "import { createRequire as __eposgateRequire } from 'node:module'; const require = __eposgateRequire(import.meta.url);" },
  plugins: [sdkVersion],
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'error',
  metafile: true,
});
const files = [...Object.keys(result.metafile.inputs).map((f) => join(process.cwd(), f)), SDK_PACKAGE, fileURLToPath(import.meta.url)];
writeFileSync(INPUTS, JSON.stringify({ digest: digest(files), files }));
if (process.env.EPOSGATE_BUILD_VERBOSE) console.log(`CLI bundled in ${Math.round(performance.now() - started)} ms → ${OUT}`);
