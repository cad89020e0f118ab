// Tester limits: flows in progress per tenant, and flows that change data refused for production keys.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createReferenceEpos } from '../../../packages/eposgate/src/epos/index.ts';
import { FLOWS } from '../../../packages/eposgate/src/platform/tester/flows/index.ts';
import { api } from '../../helpers/platform.ts';
import { attachWs, gatedGetOrder, newPlatform, SHID, startFlow, waitFlow } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

describe('tester limits', () => {
  it('a tenant past limits.flowsPerTenant flows in progress gets 429 TOO_MANY_FLOWS; a finished flow frees its slot', async () => {
    const { platform, key } = await newPlatform({ limits: { flowsPerTenant: 2 } });
    const ref = createReferenceEpos({ dbPath: ':memory:' });
    const { epos: slow, release } = gatedGetOrder(ref);
    const conn = await attachWs(platform, key, slow);
    cleanups.push(async () => { release(); await platform.destroy(); await conn.close(); ref.close(); });

    // Started at once: the count is taken before the first await, so a burst cannot overshoot.
    const burst = await Promise.all(Array.from({ length: 6 }, () =>
      api(platform.url, 'POST', '/epos-tester-tool/flows', { key, body: { flow: 'Get Order', params: { orderId: 'ord_0001' } }, softwareHouseId: SHID })));
    const statuses = burst.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 429, 429, 429, 429]);
    const refused = burst.find((r) => r.status === 429)!;
    assert.equal(refused.body.error, 'TOO_MANY_FLOWS');
    assert.match(refused.body.message, /limits\.flowsPerTenant = 2/);

    const { key: other } = await platform.keys.create('acc-other', 'sandbox');
    const elsewhere = await api(platform.url, 'POST', '/epos-tester-tool/flows', { key: other, body: { flow: 'Get Order', params: { orderId: 'x' } }, softwareHouseId: SHID });
    assert.equal(elsewhere.status, 200, 'another tenant is not limited by this one');

    release();
    for (const r of burst.filter((b) => b.status === 200)) assert.equal((await waitFlow(platform.url, key, r.body)).status, 'SUCCESS');
    const id = await startFlow(platform.url, key, 'Get Order', { orderId: 'ord_0001' });
    assert.equal((await waitFlow(platform.url, key, id)).status, 'SUCCESS');
  });

  it('a flow that changes data is refused 403 FORBIDDEN_IN_PRODUCTION for a production key; read-only flows run', async () => {
    const { platform } = await newPlatform();
    cleanups.push(() => platform.destroy());
    const { key: prod } = await platform.keys.create('acc-tester', 'production');
    const changing = FLOWS.filter((f) => f.changesData);
    assert.ok(changing.some((f) => f.name === 'Cancel Order'));
    for (const f of changing) {
      const r = await api(platform.url, 'POST', '/epos-tester-tool/flows', { key: prod, body: { flow: f.name, params: {} }, softwareHouseId: SHID });
      assert.equal(r.status, 403, `${f.name}: ${r.text}`);
      assert.equal(r.body.error, 'FORBIDDEN_IN_PRODUCTION');
      assert.match(r.body.message, /sandbox key/);
    }
    const readOnly = await api(platform.url, 'POST', '/epos-tester-tool/flows', { key: prod, body: { flow: 'Get Order', params: { orderId: 'x' } }, softwareHouseId: SHID });
    assert.equal(readOnly.status, 200, readOnly.text);
    await waitFlow(platform.url, prod, readOnly.body);
  });
});
