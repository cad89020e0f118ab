// A stopped platform lets go of its REST EPOS sockets: the REST transport's keep-alive pools are
// closed on stop, so the EPOS sees its connections end at once, not when an idle timer runs out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Server } from 'node:http';
import { FIXTURES } from '../../fixtures/contract.ts';
import { api, testPlatform } from '../../helpers/platform.ts';
import { rawRestEpos } from '../../helpers/rawEpos.ts';

const auth = { authType: 'basic', basic: { username: 'u', password: 'p' } };

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

test('stopping the platform closes the keep-alive sockets its REST transport holds to an EPOS', async (t) => {
  const epos = await rawRestEpos(() => [200, FIXTURES.GetOrderById.result]);
  t.after(() => epos.close());
  // The EPOS would keep an idle socket for a minute: only the platform closing it ends it sooner.
  epos.server.keepAliveTimeout = 60_000;
  const p = await testPlatform();
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'sandbox');
  const reg = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }], auth, url: epos.url } });
  assert.equal(reg.status, 200, reg.text);

  const res = await api(p.url, 'GET', '/epos/data/v1/orders/ord-1', { key });
  assert.equal(res.status, 200, res.text);
  assert.equal(await openConnections(epos.server), 1, 'the platform keeps its socket to the EPOS open between calls');

  await p.stop();
  const deadline = Date.now() + 2000;
  let open = await openConnections(epos.server);
  while (open > 0 && Date.now() < deadline) {
    await sleep(20);
    open = await openConnections(epos.server);
  }
  assert.equal(open, 0, 'no socket to the EPOS is left open once the platform has stopped');
});
