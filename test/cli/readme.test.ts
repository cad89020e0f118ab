// The README's "platform alone" snippet, run with bash as written: only the data dir and the port
// are swapped for a temp dir and a free port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/platform.ts';
import { freePort, stopGroup } from '../helpers/processGroup.ts';

/** The first ```sh block after the paragraph that introduces it. */
function snippetAfter(markdown: string, intro: string): string {
  const at = markdown.indexOf(intro);
  assert.ok(at >= 0, `README has "${intro}"`);
  const m = /```sh\n([\s\S]*?)```/.exec(markdown.slice(at));
  assert.ok(m, `a sh block follows "${intro}"`);
  return m[1]!;
}

test("the README's platform-alone snippet starts serve, sets $KEY and registers", async (t) => {
  const snippet = snippetAfter(readFileSync(join(ROOT, 'README.md'), 'utf8'), 'To run the platform alone');
  assert.match(snippet, /bin\/eposgate serve /);
  assert.match(snippet, /^KEY=\$\(/m);
  const data = tempDir();
  const port = await freePort();
  const script = snippet.replaceAll('./data', data).replaceAll(':8080', `:${port}`).replaceAll('--port 8080', `--port ${port}`);
  assert.notEqual(script, snippet);

  // bash in its own process group: the snippet leaves serve running in the background.
  const bash = spawn('bash', ['-e', '-c', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  t.after(async () => {
    await stopGroup(bash);
    rmSync(data, { recursive: true, force: true });
  });
  let out = '';
  let err = '';
  bash.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  bash.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the snippet did not finish in 30 s:\n${out}\n${err}`)), 30_000);
    bash.once('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  assert.equal(code, 0, `${out}\n${err}`);
  // The last curl's answer: the integrations it registered.
  const last = out.trimEnd().split('\n').at(-1)!;
  const registered = JSON.parse(last) as Array<{ capabilities: Array<{ name: string; version: string }> }>;
  assert.deepEqual(registered[0]!.capabilities.map(({ name, version }) => ({ name, version })), [{ name: 'GetOrderById', version: 'v1' }], out);
  assert.match(out, new RegExp(`eposgate listening on http://127\\.0\\.0\\.1:${port} \\(data: ${data}\\)`));
});
