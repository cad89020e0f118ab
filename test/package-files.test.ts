// What `npm pack` ships must be whole: a source map or a sourceMappingURL that points at a file
// the tarball does not hold makes debuggers and bundlers warn in a vendor's project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { ROOT as REPO } from './helpers/cli.ts';

const PACKAGES = [['packages/contract', 'dist/index'], ['packages/sdk', 'dist/index'], ['packages/eposgate', 'dist/sdk']] as const;

/** The files `npm pack` would ship, by package name: one npm run for all three (each run costs ~1 s CPU). */
let packing: Promise<Map<string, string[]>> | undefined;
function packedFiles(): Promise<Map<string, string[]>> {
  packing ??= promisify(execFile)('npm', ['pack', '--dry-run', '--ignore-scripts', '--json', ...PACKAGES.flatMap(([dir]) => ['--workspace', dir])], { cwd: REPO })
    .then(({ stdout }) => new Map((JSON.parse(stdout) as Array<{ name: string; files: Array<{ path: string }> }>).map((p) => [p.name, p.files.map((f) => f.path)])));
  return packing;
}

for (const [dir, entry] of PACKAGES) {
  test(`${dir}: every source map reference in the packed files points at a file the package ships`, async () => {
    const ROOT = join(REPO, dir);
    assert.ok(existsSync(join(ROOT, `${entry}.js`)), 'dist/ is not built: run `npm run build` (npm ci does it)');
    const name = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;
    const files = (await packedFiles()).get(name);
    assert.ok(files, `npm pack listed ${name}`);
    const packed = new Set(files);
    assert.ok(packed.has(`${entry}.js`) && packed.has(`${entry}.d.ts`), 'the entry point and its types are packed');
    const broken: string[] = [];
    for (const file of packed) {
      if (/\.(js|d\.ts)$/.test(file)) {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(ROOT, file), 'utf8'))?.[1];
        if (url && !url.startsWith('data:') && !packed.has(normalize(join(dirname(file), url)))) broken.push(`${file} -> ${url}`);
      }
      if (file.endsWith('.map')) {
        const map = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { sources: string[]; sourcesContent?: unknown[] };
        for (const [i, src] of map.sources.entries()) {
          if (!map.sourcesContent?.[i] && !packed.has(normalize(join(dirname(file), src)))) broken.push(`${file} -> ${src}`);
        }
      }
    }
    assert.deepEqual(broken, [], 'source map references to files the package does not ship');
  });
}

test('packages/eposgate: the built web console is packed (dist/console), so an installed platform serves /console', async () => {
  const ROOT = join(REPO, 'packages/eposgate');
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT });
  const packed = new Set((JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path));
  for (const file of ['index.html', 'app.js', 'app.css']) assert.ok(packed.has(`dist/console/${file}`), `dist/console/${file} is packed`);
  assert.ok(![...packed].some((f) => f.startsWith('console/') || f.startsWith('scripts/')), 'the console sources and build script stay out');
});
