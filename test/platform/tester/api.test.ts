// The tester API as the guide shows it (curl), its 400s, tenant isolation, IN_PROGRESS while a
// flow runs, and results that survive a restart.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createReferenceEpos } from '../../../packages/eposgate/src/epos/index.ts';
import { defineEpos, EposError } from '../../../packages/sdk/src/index.ts';
import { curl } from '../../helpers/cli.ts';
import { api, testPlatform } from '../../helpers/platform.ts';
import { FLOWS } from '../../../packages/eposgate/src/platform/tester/flows/index.ts';
import { attachWs, gatedGetOrder, newPlatform, SHID, startFlow, waitFlow } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the guide\'s tester requests', () => {
  it('list flows, start "Get Order", poll its status: FAILURE when GetOrder is not registered', async () => {
    const { platform, key } = await newPlatform();
    cleanups.push(() => platform.destroy());
    const headers = ['--header', 'Accept: application/json', '--header', 'software-house-id: my-place-curl', '--header', `Authorization: Basic ${key}`];

    const list = await curl(['--location', `${platform.url}/epos-tester-tool/flows`, ...headers]);
    assert.equal(list.status, 200);
    const flows = JSON.parse(list.body);
    assert.ok(Array.isArray(flows), 'a list of flows');
    assert.deepEqual(flows.map((f: any) => f.name), FLOWS.map((f) => f.name));
    const getOrder = flows.find((f: any) => f.name === 'Get Order');
    assert.deepEqual(getOrder.params, [{ name: 'orderId', type: 'string', required: true, description: 'EPOS id of the order to read' }]);
    for (const f of flows) for (const p of f.params) {
      assert.deepEqual(Object.keys(p).filter((k) => !['name', 'type', 'required', 'description', 'default'].includes(k)), []);
      if ('default' in p) assert.equal(typeof p.default, 'string');
    }

    const start = await curl(['--location', `${platform.url}/epos-tester-tool/flows`, '--header', 'Content-Type: application/json', ...headers,
      '--data', JSON.stringify({ flow: 'Get Order', params: { orderId: 'testOrderID' } })]);
    assert.equal(start.status, 200);
    assert.match(start.body, /^"[0-9a-f-]{36}"$/, 'the bare flow id as a quoted JSON string');
    const id = JSON.parse(start.body);
    assert.match(id, UUID);

    await waitFlow(platform.url, key, id);
    const poll = await curl(['--location', `${platform.url}/epos-tester-tool/flows/${id}`, ...headers]);
    assert.equal(poll.status, 200);
    const r = JSON.parse(poll.body);
    assert.deepEqual(Object.keys(r).sort(), ['finishedAt', 'flowID', 'flowName', 'startedAt', 'status', 'steps']);
    assert.equal(r.flowID, id);
    assert.equal(r.flowName, 'Get Order through EPOS Data API');
    assert.equal(r.status, 'FAILURE');
    assert.equal(r.steps.length, 1);
    assert.equal(r.steps[0].name, 'Check whether GetOrder has been registered');
    assert.equal(r.steps[0].status, 'FAILURE');
    assert.deepEqual(r.steps[0].additionalInformation, ['GetOrder method not found', 'Please register the GetOrder method on an EPOS Data API adapter']);
    for (const t of [r.startedAt, r.finishedAt, r.steps[0].startedAt, r.steps[0].finishedAt]) assert.ok(!Number.isNaN(Date.parse(t)));
  });
});

describe('POST /epos-tester-tool/flows refuses what it cannot run, naming it', () => {
  it('unknown flow, missing, mistyped and unknown params are 400s', async () => {
    const { platform, key } = await newPlatform();
    cleanups.push(() => platform.destroy());
    const post = (body: unknown) => api(platform.url, 'POST', '/epos-tester-tool/flows', { key, body, softwareHouseId: SHID });

    let r = await post({ flow: 'Get Orders' });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /unknown flow "Get Orders"/);
    assert.equal(r.body.details[0].path, '$.flow');

    r = await post({ flow: 'Get Order', params: {} });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /needs param "orderId"/);
    assert.equal(r.body.details[0].path, '$.params.orderId');

    r = await post({ flow: 'Get Order', params: { orderId: 42 } });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.details[0], { path: '$.params.orderId', message: 'must be string', expected: 'string', actual: 'integer' });

    r = await post({ flow: 'Search Orders', params: { pageSize: '5' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.details[0].path, '$.params.pageSize');

    r = await post({ flow: 'Get Order', params: { orderId: 'x', orderID: 'y' } });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /has no param "orderID"/);

    r = await post({ params: {} });
    assert.equal(r.status, 400);
    assert.equal(r.body.details[0].path, '$.flow');

    r = await api(platform.url, 'GET', '/epos-tester-tool/flows', { softwareHouseId: SHID });
    assert.equal(r.status, 401, 'the tester API needs an API key');
  });
});

describe('flow results', () => {
  it('another account\'s flow id is a 404, and so is an id that never existed', async () => {
    const { platform, key } = await newPlatform();
    cleanups.push(() => platform.destroy());
    const { key: other } = await platform.keys.create('acc-other', 'sandbox');
    const { key: prod } = await platform.keys.create('acc-tester', 'production');
    const id = await startFlow(platform.url, key, 'Get Order', { orderId: 'x' });
    await waitFlow(platform.url, key, id);
    for (const k of [other, prod]) {
      const r = await api(platform.url, 'GET', `/epos-tester-tool/flows/${id}`, { key: k, softwareHouseId: SHID });
      assert.equal(r.status, 404);
      assert.equal(r.body.error, 'NOT_FOUND');
    }
    const missing = await api(platform.url, 'GET', '/epos-tester-tool/flows/00000000-0000-4000-8000-000000000000', { key, softwareHouseId: SHID });
    assert.equal(missing.status, 404);
  });

  it('a running flow and its running step read IN_PROGRESS', async () => {
    const { platform, key } = await newPlatform();
    const ref = createReferenceEpos({ dbPath: ':memory:' });
    const { epos: slow, release } = gatedGetOrder(ref);
    const conn = await attachWs(platform, key, slow);
    cleanups.push(async () => { await platform.destroy(); await conn.close(); ref.close(); });
    const id = await startFlow(platform.url, key, 'Get Order', { orderId: 'ord_0001' });
    let r = await api(platform.url, 'GET', `/epos-tester-tool/flows/${id}`, { key, softwareHouseId: SHID });
    for (let i = 0; i < 50 && r.body.steps.length < 2; i++) {
      await new Promise((res) => setTimeout(res, 10));
      r = await api(platform.url, 'GET', `/epos-tester-tool/flows/${id}`, { key, softwareHouseId: SHID });
    }
    assert.equal(r.body.status, 'IN_PROGRESS');
    assert.equal(r.body.finishedAt, undefined);
    assert.equal(r.body.steps[0].status, 'SUCCESS');
    assert.equal(r.body.steps[1].status, 'IN_PROGRESS');
    assert.equal(r.body.steps[1].finishedAt, undefined);
    release();
    const done = await waitFlow(platform.url, key, id);
    assert.equal(done.status, 'SUCCESS');
  });

  it('results survive a restart; a flow cut short by a stop reads FAILURE with the reason', async () => {
    const { platform, key } = await newPlatform();
    const ref = createReferenceEpos({ dbPath: ':memory:' });
    const silent = defineEpos({
      // Silent about ord_0001 only; other orders are answered by the reference EPOS.
      GetOrderById: async (p) => {
        if (p.orderId === 'ord_0001') return new Promise(() => {});
        const out = await ref.epos.invoke('GetOrderById', p);
        if (out.ok) return out.result as any;
        throw new EposError(out.error.errorType, out.error.debugMessage);
      },
    });
    const conn = await attachWs(platform, key, silent);
    const done = await startFlow(platform.url, key, 'Order Not Found', {});
    const finished = await waitFlow(platform.url, key, done);
    assert.equal(finished.status, 'SUCCESS');
    const cut = await startFlow(platform.url, key, 'Get Order', { orderId: 'ord_0001' });
    // Wait until the call is on its way, then stop the platform under it.
    for (let i = 0; i < 100; i++) {
      const r = await api(platform.url, 'GET', `/epos-tester-tool/flows/${cut}`, { key, softwareHouseId: SHID });
      if (r.body.steps.length >= 2) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    await platform.stop();
    await conn.close();
    ref.close();

    const again = await testPlatform({ dataDir: platform.dataDir });
    cleanups.push(() => again.destroy());
    const a = await api(again.url, 'GET', `/epos-tester-tool/flows/${done}`, { key, softwareHouseId: SHID });
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, finished);
    const b = await api(again.url, 'GET', `/epos-tester-tool/flows/${cut}`, { key, softwareHouseId: SHID });
    assert.equal(b.body.status, 'FAILURE');
    assert.ok(b.body.finishedAt);
    const step = b.body.steps.at(-1);
    assert.equal(step.status, 'FAILURE');
    assert.match(step.additionalInformation.join(' '), /the platform stopped while this flow was running/);
  });

  it('a flow left IN_PROGRESS by a crash becomes FAILURE when the platform starts', async () => {
    const first = await testPlatform();
    const { key } = await first.keys.create('acc-tester', 'sandbox');
    const at = new Date().toISOString();
    await first.store.flows.insert({
      flowID: '11111111-2222-4333-8444-555555555555', flowName: 'Get Order through EPOS Data API', status: 'IN_PROGRESS', startedAt: at,
      steps: [{ name: 'Get order ord_0001 (GetOrderById)', status: 'IN_PROGRESS', startedAt: at, additionalInformation: [] }],
      tenant: { accountId: 'acc-tester', env: 'sandbox' }, flow: 'Get Order', params: { orderId: 'ord_0001' },
    });
    await first.stop();
    const again = await testPlatform({ dataDir: first.dataDir });
    cleanups.push(() => again.destroy());
    const r = await api(again.url, 'GET', '/epos-tester-tool/flows/11111111-2222-4333-8444-555555555555', { key, softwareHouseId: SHID });
    assert.equal(r.body.status, 'FAILURE');
    assert.equal(r.body.steps[0].status, 'FAILURE');
    assert.match(r.body.steps[0].additionalInformation[0], /the platform stopped while this flow was running; the flow did not finish \(noticed at restart/);
  });
});
