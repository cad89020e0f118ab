// The build's import rule (scripts/check-imports.mjs, run by `npm run build`): this checkout passes
// it, and a package whose files import each other in a circle, through type-only imports too,
// fails it with the circle named file by file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/cli.ts';

const SCRIPT = join(ROOT, 'scripts/check-imports.mjs');

async function check(root?: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [SCRIPT, ...(root ? [root] : [])]);
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

test('this checkout has no backward import and no import cycle', async () => {
  const r = await check();
  assert.equal(r.code, 0, r.stderr);
});

test('an import cycle fails the check, named file by file; a one-way import does not', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'eposgate-import-rules-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  write(root, {
    'packages/one/package.json': JSON.stringify({ name: '@x/one', dependencies: { ws: '*' } }),
    // store → records is fine; records → flow → store closes a circle, the last link type-only
    'packages/one/src/store.ts': "import type { Rec } from './records.ts';\nexport const s = 1;\n",
    'packages/one/src/records.ts': "import { f } from './tester/flow.ts';\nexport type Rec = typeof f;\n",
    'packages/one/src/tester/flow.ts': "import type { s } from '../store.ts';\nimport 'ws';\nexport const f = 1;\n",
    'packages/one/src/leaf.ts': "import { s } from './store.ts';\nexport const l = s;\n",
    'packages/two/package.json': JSON.stringify({ name: '@x/two' }),
    'packages/two/src/a.ts': "export type A = import('./b.ts').B;\n",
    'packages/two/src/b.ts': "import type { A } from './a.ts';\nexport type B = A | 1;\n",
    'packages/two/src/self.ts': "export type S = import('./self.ts').S[];\n",
  });
  const r = await check(root);
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines.sort(), [
    'import rule: import cycle in @x/one (3 files tangled): records.ts -> tester/flow.ts -> store.ts -> records.ts',
    'import rule: import cycle in @x/two (1 file tangled): self.ts -> self.ts',
    'import rule: import cycle in @x/two (2 files tangled): a.ts -> b.ts -> a.ts',
  ]);
});
