#!/usr/bin/env node
// The build's import rule: a package's sources import only Node built-ins, their own files, and
// the packages their package.json declares. So @eposgate/contract can never import the SDK or the
// platform, and the SDK never the platform. TypeScript's project references catch a relative path
// that leaves a package (rootDir), but not a bare package name resolved through the workspace's
// node_modules links; this catches both. Exits 1 naming each offending import.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
const BUILTINS = new Set(builtinModules);

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function importProblems(root = ROOT) {
  const problems = [];
  const packagesDir = join(root, 'packages');
  for (const dir of readdirSync(packagesDir)) {
    const pkgDir = join(packagesDir, dir);
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const allowed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const srcDir = join(pkgDir, 'src');
    for (const file of sources(srcDir)) {
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(SPECIFIER)) {
        const where = relative(root, file);
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (!target.startsWith(srcDir + sep)) problems.push(`${where}: '${spec}' reaches outside ${manifest.name}`);
        } else if (spec.startsWith('node:') || BUILTINS.has(spec)) {
          continue;
        } else if (!allowed.has(packageOf(spec))) {
          problems.push(`${where}: '${spec}' is not a dependency of ${manifest.name}`);
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = importProblems();
  for (const p of problems) console.error(`import rule: ${p}`);
  process.exit(problems.length ? 1 : 0);
}
