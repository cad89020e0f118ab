// GET /console serves the built web console, public, with strict headers; without a build it
// answers 503 saying how to make one. The browser tests are in test/console/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DIR } from '../../packages/eposgate/src/platform/server/console.ts';
import { ROOT } from '../helpers/cli.ts';
import { tempDir, testPlatform } from '../helpers/platform.ts';

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

test('the console is served without a key from the built files, each with its type and strict headers', async (t) => {
  assert.ok(existsSync(join(CONSOLE_DIR, 'index.html')), 'the console is not built: run `npm run build` (npm ci does it)');
  const p = await testPlatform();
  t.after(() => p.destroy());
  for (const [path, type] of [['/console', 'text/html'], ['/console/', 'text/html'], ['/console/app.js', 'text/javascript'], ['/console/app.css', 'text/css']] as const) {
    const res = await fetch(p.url + path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', new RegExp(`^${type}`), path);
    assert.equal(res.headers.get('content-security-policy'), CSP, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    assert.equal(res.headers.get('set-cookie'), null, path);
    const body = await res.text();
    if (type === 'text/html') assert.match(body, /<script type="module" src="\/console\/app\.js"><\/script>/);
    if (type === 'text/javascript') assert.match(body, /eposgate-console-session/, 'our bundle');
    if (type === 'text/css') assert.match(body, /\.uplot/, "uPlot's stylesheet is in app.css");
  }
  // Only these files: nothing else under /console reaches the file system.
  for (const path of ['/console/index.html', '/console/../package.json', '/console/app.js.map', '/console/x']) {
    assert.equal((await fetch(p.url + path)).status, 404, path);
  }
});

test("the console's sources never render a string as HTML (EPOS strings are text: docs/console.md)", () => {
  const files = sources(join(ROOT, 'packages/eposgate/console/src'));
  assert.ok(files.length >= 10, files.join());
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /dangerouslySetInnerHTML|innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/, file);
  }
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : [join(dir, e.name)]));
}

test('without a built console, /console answers 503 naming the missing file and the command that builds it', async (t) => {
  const empty = tempDir('eposgate-no-console-');
  const p = await testPlatform({ consoleDir: empty });
  t.after(() => p.destroy());
  const res = await fetch(`${p.url}/console`);
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('content-security-policy'), CSP);
  const body = await res.json() as { error: string; message: string };
  assert.equal(body.error, 'CONSOLE_NOT_BUILT');
  assert.ok(body.message.includes(join(empty, 'index.html')), body.message);
  assert.match(body.message, /npm run build/);
});
