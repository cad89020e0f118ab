#!/usr/bin/env node
// Builds the web console (packages/eposgate/console) into packages/eposgate/dist/console:
// index.html, app.js (Preact + uPlot + our code, one minified ES module) and app.css (ours +
// uPlot's). Run by the root `npm run build`, so `npm ci`, `npm test` and `npm start` build it.
// esbuild only bundles (no type check): `npm run typecheck` checks the sources.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(PKG, 'console');
const OUT = join(PKG, 'dist', 'console');

mkdirSync(OUT, { recursive: true });
const started = performance.now();
await build({
  entryPoints: { app: join(SRC, 'src', 'main.tsx') },
  outdir: OUT,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  // No source maps: the package ships what it references (test/package-files.test.ts).
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(SRC, 'tsconfig.json'),
  legalComments: 'none',
  logLevel: 'warning',
  // uPlot's stylesheet is imported by the charts module and lands in app.css beside ours.
  loader: { '.css': 'css' },
});
copyFileSync(join(SRC, 'index.html'), join(OUT, 'index.html'));
// One stylesheet: ours first, then what the bundle pulled in (uPlot's).
const bundled = readFileSync(join(OUT, 'app.css'), 'utf8');
writeFileSync(join(OUT, 'app.css'), readFileSync(join(SRC, 'app.css'), 'utf8') + '\n' + bundled);
if (process.env.EPOSGATE_BUILD_VERBOSE) console.log(`console built in ${Math.round(performance.now() - started)} ms → ${OUT}`);
