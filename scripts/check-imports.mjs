#!/usr/bin/env node
// The build's import rule: a package's sources import only Node built-ins, their own files, and
// the packages their package.json declares. So @eposgate/contract can never import the SDK or the
// platform, and the SDK never the platform. TypeScript's project references catch a relative path
// that leaves a package (rootDir), but not a bare package name resolved through the workspace's
// node_modules links; this catches both. It also refuses import cycles among a package's own files
// (type-only imports included): a cycle means no file in it can be understood, tested or moved
// without the others. Exits 1 naming each offending import and each cycle.
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
    /** file → the package's own files it imports (relative paths from root) */
    const graph = new Map();
    for (const file of sources(srcDir)) {
      const text = readFileSync(file, 'utf8');
      const where = relative(root, file);
      const edges = new Set();
      graph.set(where, edges);
      for (const [, spec] of text.matchAll(SPECIFIER)) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (!target.startsWith(srcDir + sep)) problems.push(`${where}: '${spec}' reaches outside ${manifest.name}`);
          else edges.add(relative(root, target));
        } else if (spec.startsWith('node:') || BUILTINS.has(spec)) {
          continue;
        } else if (!allowed.has(packageOf(spec))) {
          problems.push(`${where}: '${spec}' is not a dependency of ${manifest.name}`);
        }
      }
    }
    for (const { cycle, tangled } of importCycles(graph)) {
      problems.push(`import cycle in ${manifest.name} (${tangled} file${tangled === 1 ? '' : 's'} tangled): ${cycle.map((f) => relative(srcDir, join(root, f))).join(' -> ')}`);
    }
  }
  return problems;
}

/**
 * One cycle per strongly connected component of the import graph (`tangled` files that all reach
 * each other): the shortest path from the component's first file (in sorted order) back to
 * itself. Cutting the named cycle and rerunning names the next one, if any.
 */
export function importCycles(graph) {
  const cycles = [];
  for (const component of stronglyConnected(graph)) {
    const inside = new Set(component);
    const start = [...component].sort()[0];
    if (component.length === 1 && !graph.get(start)?.has(start)) continue;
    // breadth-first from start's imports, staying inside the component, until start comes back
    const parent = new Map();
    const queue = [start];
    while (queue.length) {
      const at = queue.shift();
      const next = [...(graph.get(at) ?? [])].filter((t) => inside.has(t)).sort();
      if (next.includes(start)) {
        const path = [start];
        for (let f = at; f !== start; f = parent.get(f)) path.splice(1, 0, f);
        cycles.push({ cycle: [...path, start], tangled: component.length });
        break;
      }
      for (const t of next) if (!parent.has(t)) { parent.set(t, at); queue.push(t); }
    }
  }
  return cycles;
}

/** Tarjan's algorithm, iterative so deep graphs cannot overflow the stack. */
function stronglyConnected(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let counter = 0;
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work = [[root, [...(graph.get(root) ?? [])].filter((t) => graph.has(t))]];
    index.set(root, counter); low.set(root, counter++); stack.push(root); onStack.add(root);
    while (work.length) {
      const [node, targets] = work[work.length - 1];
      if (targets.length) {
        const t = targets.shift();
        if (!index.has(t)) {
          index.set(t, counter); low.set(t, counter++); stack.push(t); onStack.add(t);
          work.push([t, [...(graph.get(t) ?? [])].filter((u) => graph.has(u))]);
        } else if (onStack.has(t)) {
          low.set(node, Math.min(low.get(node), index.get(t)));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const up = work[work.length - 1][0];
        low.set(up, Math.min(low.get(up), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let f;
        do { f = stack.pop(); onStack.delete(f); component.push(f); } while (f !== node);
        components.push(component);
      }
    }
  }
  return components;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = importProblems(process.argv[2] ? resolve(process.argv[2]) : ROOT); // a root to check, for tests
  for (const p of problems) console.error(`import rule: ${p}`);
  process.exit(problems.length ? 1 : 0);
}
