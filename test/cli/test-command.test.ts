// `eposgate test` end to end: against a platform with the reference EPOS on WebSocket, against a
// REST EPOS directly (--epos-url), with --junit/--json reports and exit codes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';
import { defineEpos, EposError } from '../../packages/sdk/src/index.ts';
import { FLOWS } from '../../packages/eposgate/src/platform/tester/flows/index.ts';
import { eposgate } from '../helpers/cli.ts';
import { tempDir } from '../helpers/platform.ts';
import { attachRest, attachWs, closeServer, newPlatform, SHID, USER, PASS, withReference } from '../platform/tester/helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

// The runs at once: each has its own platform and EPOS, and runCli keeps each run's output apart.
describe('eposgate test', { concurrency: true }, () => {
  it('runs every flow that applies against a platform, prints each step, writes reports, exits 0', async () => {
    const s = await withReference('ws');
    cleanups.push(() => s.close());
    const dir = tempDir();
    const junitFile = join(dir, 'report.xml');
    const jsonFile = join(dir, 'report.json');
    const r = await eposgate(['test', '--platform', s.platform.url, '--api-key', s.key, '--software-house-id', SHID,
      '--param', 'Get Order:orderId=ord_0001', '--junit', junitFile, '--json', jsonFile, '--poll-ms', '20']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^  SUCCESS     Check whether GetOrder has been registered \(\d+ ms\)$/m, 'plain lines when not a TTY');
    assert.match(r.stdout, new RegExp(`${FLOWS.length} flows: ${FLOWS.length} succeeded, 0 failed, 0 timed out`));
    assert.match(r.stdout, /^ready for: Pay at Table, Order and Pay, Bookings$/m, 'the reference EPOS is ready for every product');
    assert.deepEqual(JSON.parse(readFileSync(jsonFile, 'utf8')).products.map((p: any) => p.status), ['ready', 'ready', 'ready']);
    const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
    assert.deepEqual(report.flows.map((f: any) => f.flow), FLOWS.map((f) => f.name));
    assert.ok(report.flows.every((f: any) => f.result.status === 'SUCCESS'));
    assert.deepEqual(report.flows[0].params, { orderId: 'ord_0001' });
    const xml = readFileSync(junitFile, 'utf8');
    assert.equal((xml.match(/<testsuite /g) ?? []).length, FLOWS.length);
    assert.ok(!xml.includes('<failure'));
  });

  it('with a production key runs the read-only flows and skips those that change data, saying why', async () => {
    const { platform } = await newPlatform();
    const { key } = await platform.keys.create('acc-prod', 'production');
    const ref = createReferenceEpos({ dbPath: ':memory:' });
    // Reconnecting, as a real EPOS does: the JSON-RPC Reconnect flow closes the socket with 1012.
    const conn = await attachWs(platform, key, ref.epos, undefined, { minMs: 20, maxMs: 200 });
    cleanups.push(async () => { await platform.destroy(); await conn.close(); ref.close(); });
    const r = await eposgate(['test', '--platform', platform.url, '--api-key', key, '--software-house-id', SHID,
      '--param', 'Get Order:orderId=ord_0001', '--poll-ms', '20']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const changing = FLOWS.filter((f) => f.changesData);
    assert.ok(changing.length > 0 && changing.length < FLOWS.length);
    for (const f of changing) assert.ok(r.stdout.includes(`- ${f.name}: skipped (changes data`), `${f.name} skipped`);
    const readOnly = FLOWS.length - changing.length;
    assert.match(r.stdout, new RegExp(`${readOnly} flows: ${readOnly} succeeded, 0 failed, 0 timed out, ${changing.length} skipped`));
  });

  it('tests a REST EPOS directly with --epos-url; a failing flow gives exit code 1 and a JUnit failure', async () => {
    const ref = createReferenceEpos({ dbPath: ':memory:' });
    // A vendor EPOS whose GetOrderById answers another order than the one asked for.
    const epos = defineEpos({
      GetOrderById: async () => {
        const out = await ref.epos.invoke('GetOrderById', { orderId: 'ord_0002' });
        if (!out.ok) throw new EposError(out.error.errorType, out.error.debugMessage);
        return out.result as any;
      },
      SearchOrders: async (p) => (await ref.epos.invoke('SearchOrders', p) as any).result,
    });
    const { platform, key } = await newPlatform();
    const { server, url } = await attachRest(platform, key, epos);
    await platform.destroy(); // only the REST server is needed: `eposgate test` brings its own platform
    cleanups.push(async () => { closeServer(server); ref.close(); });
    const dir = tempDir();
    const junitFile = join(dir, 'report.xml');
    const jsonFile = join(dir, 'report.json');
    const r = await eposgate(['test', '--epos-url', url, '--username', USER, '--password', PASS,
      '--capabilities', 'GetOrderById,SearchOrders', '--param', 'orderId=ord_0001', '--junit', junitFile, '--json', jsonFile, '--poll-ms', '20']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /FAILURE     Get order ord_0001 \(GetOrderById\)/);
    assert.match(r.stdout, /\$\.id: is not the order asked for \(expected "ord_0001", actual "ord_0002"\)/);
    assert.match(r.stdout, /- Pay at Table: not applicable: needs RecordOrderPaymentById$/m);
    const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
    const names = report.flows.map((f: any) => f.flow);
    assert.deepEqual(names, ['Get Order', 'Order Not Found', 'Search Orders']);
    // That EPOS never answers NotFound either; SearchOrders is fine.
    assert.deepEqual(report.flows.map((f: any) => f.result.status), ['FAILURE', 'FAILURE', 'SUCCESS']);
    const xml = readFileSync(junitFile, 'utf8');
    assert.match(xml, /<testcase classname="Get Order" name="Get order ord_0001 \(GetOrderById\)" time="[\d.]+"><failure message="GetOrderById answered another order than ord_0001" type="FAILURE">/);
    assert.match(xml, /<skipped message="not applicable: needs RecordOrderPaymentById"\/>/);
  });

  it('chosen flows with --flow; usage mistakes exit 2 with a message', async () => {
    const s = await withReference('ws');
    cleanups.push(() => s.close());
    const ok = await eposgate(['test', '--platform', s.platform.url, '--api-key', s.key, '--flow', 'Order Not Found', '--flow', 'Tables and Areas', '--param', 'pageSize=3', '--poll-ms', '20']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /2 flows: 2 succeeded/);
    const unknown = await eposgate(['test', '--platform', s.platform.url, '--api-key', s.key, '--flow', 'Nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown flow "Nope"/);
    const missing = await eposgate(['test', '--platform', s.platform.url, '--api-key', s.key, '--flow', 'Get Order']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs param "orderId"/);
  });
});
