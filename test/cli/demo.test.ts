// `npm start` runs `eposgate demo`: the printed curl commands must work exactly as printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { spawnEposgate, stop } from '../helpers/cli.ts';
import { tempDir } from '../helpers/platform.ts';

const sh = promisify(execFile);

async function run(cmd: string): Promise<{ status: number; body: string }> {
  const { stdout } = await sh('bash', ['-c', `${cmd} -sS -w '\\n%{http_code}'`]);
  const i = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) };
}

test('eposgate demo brings the system up and its printed curl commands work as printed', async (t) => {
  const data = tempDir();
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const given = 'sk_sandbox_demoKeyForTheTests_0123456789';
  const { child, output } = await spawnEposgate(['demo', '--port', '0', '--data', data, '--api-key', given], /^Ready\.$/m);
  t.after(() => stop(child));
  const text = output();
  assert.ok(text.includes(`\n${given}\n`), 'the given key is printed');
  const consoleUrl = /^Web console: (http:\/\/\S+\/console)$/m.exec(text)?.[1];
  assert.ok(consoleUrl, text);
  const page = await fetch(consoleUrl);
  assert.equal(page.status, 200, 'the printed console URL serves the console');
  assert.match(await page.text(), /<title>eposgate console<\/title>/);
  const curls = text.split('\n').filter((l) => l.startsWith('curl '));
  assert.ok(curls.length >= 6, text);

  const [integrations, order, search, flows, startFlow, flowStatus] = curls as [string, string, string, string, string, string];
  const i = await run(integrations);
  assert.equal(i.status, 200, i.body);
  assert.ok(JSON.parse(i.body).wsIntegrations[0].capabilities.some((c: { name: string }) => c.name === 'GetOrderById'));

  const o = await run(order);
  assert.equal(o.status, 200, o.body);
  assert.equal(JSON.parse(o.body).id, 'ord_0001');

  const s = await run(search);
  assert.equal(s.status, 200, s.body);
  assert.ok(JSON.parse(s.body).data.every((x: { payable?: boolean }) => x.payable === true));

  const f = await run(flows);
  assert.equal(f.status, 200, f.body);
  assert.ok(JSON.parse(f.body).some((x: { name: string }) => x.name === 'Get Order'));

  const started = await run(startFlow);
  assert.equal(started.status, 200, started.body);
  const flowId = JSON.parse(started.body) as string;
  assert.match(flowId, /^[0-9a-f-]{36}$/);
  let result: { status: string; flowName: string } = { status: 'IN_PROGRESS', flowName: '' };
  for (let n = 0; n < 50 && result.status === 'IN_PROGRESS'; n++) {
    await new Promise((r) => setTimeout(r, 100));
    const r = await run(flowStatus.replace('FLOW_ID', flowId));
    assert.equal(r.status, 200, r.body);
    result = JSON.parse(r.body);
  }
  assert.equal(result.flowName, 'Get Order through EPOS Data API');
  assert.equal(result.status, 'SUCCESS', JSON.stringify(result));
});
