import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { capability } from '../../../packages/contract/src/catalogue.ts';
import { PlatformError, isPlatformError } from '../../../packages/eposgate/src/platform/errors.ts';
import type { Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';
import { RestTransport, type RestTarget, type RestTransportOptions } from '../../../packages/eposgate/src/platform/transports/rest.ts';

const A: Tenant = { accountId: 'a', env: 'sandbox' };
const PASSWORD = 's3cret-pw';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server playing the EPOS. */
async function eposServer(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: Seen[] = [];
  let sockets = 0;
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += String(c);
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    handle(req, res, body);
  });
  server.on('connection', () => { sockets += 1; });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  servers.push(server);
  return { seen, port, base: `http://127.0.0.1:${port}`, sockets: () => sockets };
}

const servers: Server[] = [];
const transports: RestTransport[] = [];
after(async () => {
  await Promise.all(transports.map((t) => t.close()));
  for (const s of servers) { s.closeAllConnections(); s.close(); }
});

function transport(target: RestTarget | undefined, extra: Partial<RestTransportOptions> = {}): RestTransport {
  const t = new RestTransport({ resolve: async () => target, ...extra });
  transports.push(t);
  return t;
}

const target = (base: string): RestTarget => ({ baseUrl: base, username: 'epos-user', password: PASSWORD });

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function rejection(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isPlatformError(e), `expected a PlatformError, got ${String(e)}`);
    assert.ok(!e.message.includes(PASSWORD), 'the password never appears in an error');
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('EPOS REST transport', () => {
  it('sends method, path, body and headers exactly as the contract says', async () => {
    const epos = await eposServer((_req, res) => json(res, 200, { id: 'o/1' }));
    const t = transport(target(`${epos.base}/api/`));
    const got = await t.call(A, capability('GetOrderById'), { orderId: 'o/1' }, { waiterId: 'w1', dojoRequestingProduct: 'Pay at Table', deviceId: 'tm_1', deviceType: 'Dojo Terminal' }, { timeoutMs: 1000 });
    assert.deepEqual(got, { id: 'o/1' });
    await t.call(A, capability('RecordOrderPaymentById'), { orderId: '42', amount: { value: 100, currencyCode: 'GBP' } }, { waiterId: '' }, { timeoutMs: 1000 });

    const [get, post] = epos.seen;
    assert.equal(get.method, 'GET');
    assert.equal(get.url, '/api/v1/orders/o%2F1');
    assert.equal(get.body, '');
    assert.equal(get.headers.authorization, `Basic ${Buffer.from(`epos-user:${PASSWORD}`).toString('base64')}`);
    assert.equal(get.headers.accept, 'application/json');
    assert.equal(get.headers['content-type'], undefined);
    assert.equal(get.headers['waiter-id'], 'w1');
    assert.equal(get.headers['dojo-requesting-product'], 'Pay at Table');
    assert.equal(get.headers['device-id'], 'tm_1');
    assert.equal(get.headers['device-type'], 'Dojo Terminal');

    assert.equal(post.method, 'POST');
    assert.equal(post.url, '/api/v1/orders/42/record-payment');
    assert.equal(post.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(post.body), { amount: { value: 100, currencyCode: 'GBP' } });
    assert.equal(post.headers['waiter-id'], undefined);
  });

  it('answers {} for an empty body where the contract has no result (as over WS), null elsewhere', async () => {
    const epos = await eposServer((req, res) => { res.statusCode = req.method === 'DELETE' ? 204 : 200; res.end(); });
    const t = transport(target(epos.base));
    assert.deepEqual(await t.call(A, capability('DeletePartyById'), { partyId: 'p1' }, {}, { timeoutMs: 1000 }), {});
    assert.equal(await t.call(A, capability('GetPartyById'), { partyId: 'p1' }, {}, { timeoutMs: 1000 }), null);
  });

  it('turns an EPOSError body on a 404 into EPOS_ERROR carrying the EPOSError', async () => {
    const epos = await eposServer((_req, res) => json(res, 404, { errorType: 'NotFound', debugMessage: 'no order 9', traceId: 'tr-9' }));
    const err = await rejection(transport(target(epos.base)).call(A, capability('GetOrderById'), { orderId: '9' }, {}, { timeoutMs: 1000 }));
    assert.equal(err.code, 'EPOS_ERROR');
    assert.equal(err.message, 'EPOS answered NotFound: no order 9');
    assert.deepEqual(err.extra, { eposError: { errorType: 'NotFound', debugMessage: 'no order 9', traceId: 'tr-9' } });
  });

  it('reports a 500 HTML page as EPOS_BAD_RESPONSE naming the status and an excerpt', async () => {
    const epos = await eposServer((_req, res) => { res.writeHead(500, { 'content-type': 'text/html' }); res.end('<html><body>Internal   Server Error</body></html>'); });
    const err = await rejection(transport(target(epos.base)).call(A, capability('ListAreas'), {}, {}, { timeoutMs: 1000 }));
    assert.equal(err.code, 'EPOS_BAD_RESPONSE');
    assert.match(err.message, /HTTP 500 to ListAreas with non-JSON \(content-type text\/html\): <html><body>Internal Server Error/);
  });

  it('reports a 200 that is not JSON as EPOS_BAD_RESPONSE', async () => {
    const epos = await eposServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('OK!'); });
    const err = await rejection(transport(target(epos.base)).call(A, capability('ListAreas'), {}, {}, { timeoutMs: 1000 }));
    assert.equal(err.code, 'EPOS_BAD_RESPONSE');
    assert.match(err.message, /^EPOS answered non-JSON \(content-type text\/plain\)/);
  });

  it('refuses an answer over the size limit', async () => {
    const epos = await eposServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ blob: 'x'.repeat(5000) })); });
    const err = await rejection(transport(target(epos.base), { maxResponseBytes: 1000 }).call(A, capability('ListAreas'), {}, {}, { timeoutMs: 1000 }));
    assert.equal(err.code, 'EPOS_BAD_RESPONSE');
    assert.match(err.message, /exceeded the 1000-byte limit/);
  });

  it('reports a refused connection as EPOS_UNREACHABLE naming host:port and the cause', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = await rejection(transport(target(`http://127.0.0.1:${port}`)).call(A, capability('ListAreas'), {}, {}, { timeoutMs: 1000 }));
    assert.equal(err.code, 'EPOS_UNREACHABLE');
    assert.equal(err.message, `could not reach the EPOS at 127.0.0.1:${port} (ECONNREFUSED: connection refused)`);
  });

  it('reports a connection the EPOS drops mid-request as EPOS_UNREACHABLE', async () => {
    const epos = await eposServer((req) => req.socket.destroy());
    const err = await rejection(transport(target(epos.base)).call(A, capability('ListAreas'), {}, {}, { timeoutMs: 1000 }));
    assert.equal(err.code, 'EPOS_UNREACHABLE');
    assert.match(err.message, new RegExp(`^could not reach the EPOS at 127\\.0\\.0\\.1:${epos.port} \\((UND_ERR_SOCKET|ECONNRESET): `));
  });

  it('times out a slow EPOS with EPOS_TIMEOUT', async () => {
    const epos = await eposServer((_req, res) => { setTimeout(() => json(res, 200, []), 1000).unref(); });
    const t0 = performance.now();
    const err = await rejection(transport(target(epos.base)).call(A, capability('ListAreas'), {}, {}, { timeoutMs: 120 }));
    assert.equal(err.code, 'EPOS_TIMEOUT');
    assert.match(err.message, /GET \/v1\/areas within 120 ms/);
    assert.ok(performance.now() - t0 < 500);
  });

  it('times out a slow EPOS on the coarse path too (timeouts of a second or more, no caller signal)', async () => {
    const epos = await eposServer((_req, res) => { setTimeout(() => json(res, 200, []), 4000).unref(); });
    const t0 = performance.now();
    const err = await rejection(transport(target(epos.base)).call(A, capability('ListAreas'), {}, {}, { timeoutMs: 1000 }));
    assert.equal(err.code, 'EPOS_TIMEOUT');
    assert.match(err.message, /within 1000 ms/);
    const took = performance.now() - t0;
    assert.ok(took >= 900 && took < 3000, `timed out after ${Math.round(took)} ms`);
  });

  it('reuses keep-alive sockets: many calls, few connections', async () => {
    const epos = await eposServer((_req, res) => json(res, 200, []));
    const t = transport(target(epos.base), { connectionsPerOrigin: 4 });
    for (let round = 0; round < 10; round += 1) {
      await Promise.all(Array.from({ length: 10 }, () => t.call(A, capability('ListAreas'), {}, {}, { timeoutMs: 1000 })));
    }
    assert.equal(epos.seen.length, 100);
    assert.ok(epos.sockets() <= 4, `opened ${epos.sockets()} sockets`);
  });

  it('names a missing path parameter, and a tenant without a REST integration', async () => {
    const epos = await eposServer((_req, res) => json(res, 200, {}));
    const e1 = await rejection(transport(target(epos.base)).call(A, capability('GetOrderById'), {}, {}, { timeoutMs: 1000 }));
    assert.equal(e1.code, 'BAD_REQUEST');
    assert.match(e1.message, /"orderId"/);
    const e2 = await rejection(transport(undefined).call(A, capability('ListAreas'), {}, {}, { timeoutMs: 1000 }));
    assert.equal(e2.code, 'EPOS_NOT_CONNECTED');
    assert.equal(e2.message, 'no REST integration registered for this account/environment');
    assert.equal(epos.seen.length, 0);
  });

  it('gives up when the caller aborts, with CALL_CANCELLED', async () => {
    const epos = await eposServer((_req, res) => { setTimeout(() => json(res, 200, []), 1000).unref(); });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const err = await rejection(transport(target(epos.base)).call(A, capability('ListAreas'), {}, {}, { timeoutMs: 1000, signal: ac.signal }));
    assert.equal(err.code, 'CALL_CANCELLED');
  });
});
