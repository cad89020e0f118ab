// The probe of `eposgate test --epos-url` without --capabilities: which capabilities a REST EPOS
// answers for, told apart from "no route" answers, against the SDK's server and a plain one.
import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { probeRestEpos } from '../../packages/eposgate/src/cli/probe.ts';
import { defineEpos, EposError, restHandler } from '../../packages/sdk/src/index.ts';
import { createReferenceEpos } from '../../packages/eposgate/src/epos/index.ts';

const servers: Server[] = [];
after(() => { for (const s of servers) { s.closeAllConnections(); s.close(); } });

async function listen(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const opts = (url: string, password = 'pw') => ({ url, username: 'u', password, accountId: 'acc-probe', timeoutMs: 2000 });

describe('probing a REST EPOS for the capabilities it answers for', () => {
  it('an SDK EPOS: exactly its capabilities count, an event type only when an event of that type is acknowledged', async () => {
    const ref = createReferenceEpos({ dbPath: ':memory:' });
    after(() => ref.close());
    const pass = (name: string) => async (p: any) => {
      const out = await ref.epos.invoke(name, p);
      if (!out.ok) throw new EposError(out.error.errorType, out.error.debugMessage);
      return out.result;
    };
    const epos = defineEpos({
      GetOrderById: pass('GetOrderById') as any,
      CreateParty: pass('CreateParty') as any,
      ListAreas: pass('ListAreas') as any,
      'HandleEvent:payment_intent.status_updated': async () => ({}),
    } as any);
    const url = await listen(restHandler(epos, { username: 'u', password: 'pw', basePath: '/dojo' }));
    const r = await probeRestEpos(opts(`${url}/dojo/`));
    assert.equal(r.refused, undefined);
    assert.equal(r.unreachable, undefined);
    assert.deepEqual(r.answered.map((a) => a.capability).sort(),
      ['CreateParty', 'GetOrderById', 'HandleEvent:payment_intent.status_updated', 'ListAreas']);
    assert.match(r.answered.find((a) => a.capability === 'GetOrderById')!.answer, /^HTTP 404 NotFound: /, 'a NotFound for an unknown id is an answer');
    assert.match(r.answered.find((a) => a.capability === 'CreateParty')!.answer, /^HTTP 400 InvalidRequest: /, 'the empty body is refused, nothing is created');
    assert.ok(r.noRoute.includes('CancelOrderById'), 'DELETE on a path only GET serves is a 405: no route');
    assert.ok(r.noRoute.includes('HandleEvent:payment_intent.created'), 'an event type the EPOS does not handle');
    assert.ok(r.noRoute.includes('SearchTables'));
  });

  it('a plain server: its own 404 page for unknown paths is "no route", its JSON NotFound for an unknown order is an answer, 405 is no route', async () => {
    const url = await listen((req, res) => {
      req.resume();
      if (req.method === 'GET' && req.url === '/v1/areas') return void res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      if (/^\/v1\/orders\/[^/]+$/.test(req.url!)) {
        if (req.method !== 'GET') return void res.writeHead(405).end();
        return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errorType: 'NotFound', debugMessage: `no order ${req.url!.slice(11)}` }));
      }
      res.writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ timestamp: new Date().toISOString(), status: 404, error: 'Not Found', path: req.url }));
    });
    const r = await probeRestEpos(opts(url));
    assert.deepEqual(r.answered.map((a) => a.capability).sort(), ['GetOrderById', 'ListAreas']);
    assert.ok(r.noRoute.includes('CancelOrderById'));
    assert.ok(r.noRoute.includes('GetOrderBillById'), 'a 404 that reads like the no-route page is no route');
  });

  it('a wrong password is reported as refused credentials, with the EPOS\'s own message', async () => {
    const url = await listen(restHandler(defineEpos({ ListAreas: async () => ({ areas: [] }) } as any), { username: 'u', password: 'pw' }));
    const r = await probeRestEpos(opts(url, 'wrong'));
    assert.equal(r.refused, 'HTTP 401 InvalidRequest: missing or wrong basic-auth credentials');
    assert.deepEqual(r.answered, []);
  });

  it('an EPOS that is not there is reported unreachable, naming the cause', async () => {
    const url = await listen(() => {});
    const s = servers.pop()!;
    s.close();
    await once(s, 'close');
    const r = await probeRestEpos(opts(url));
    assert.match(r.unreachable ?? '', /^cannot reach the EPOS at http:\/\/127\.0\.0\.1:\d+ \(\w+ \/v1\/eposgate-probe-route-\w+: ECONNREFUSED\)$/);
  });
});
