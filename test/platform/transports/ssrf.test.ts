// REST targets may not reach private, loopback or reserved addresses: refused at registration when the
// URL names one, and at connect time (production always, sandbox with forbidPrivateTargets) when a
// host name resolves to one.
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import type { LookupOneOptions } from 'node:dns';
import { after, describe, it, test } from 'node:test';
import { capability } from '../../../packages/contract/src/catalogue.ts';
import { PlatformError } from '../../../packages/eposgate/src/platform/errors.ts';
import type { Tenant } from '../../../packages/eposgate/src/platform/tenant.ts';
import { forbiddenAddress, forbiddenHost } from '../../../packages/eposgate/src/platform/transports/addressPolicy.ts';
import { RestTransport, type RestTransportOptions } from '../../../packages/eposgate/src/platform/transports/rest.ts';
import { guardedLookup } from '../../../packages/eposgate/src/platform/transports/targetGuard.ts';
import { FIXTURES } from '../../fixtures/contract.ts';
import { api, testPlatform } from '../../helpers/platform.ts';
import { rawRestEpos, type RawRestEpos } from '../../helpers/rawEpos.ts';

const PROD: Tenant = { accountId: 'acc-p', env: 'production' };
const SANDBOX: Tenant = { accountId: 'acc-s', env: 'sandbox' };
const auth = { authType: 'basic', basic: { username: 'u', password: 'p' } };
const capabilities = [{ name: 'GetOrderById', version: 'v1' }];

/** A REST EPOS on loopback that counts the TCP connections it accepts, not only the requests. */
async function countingEpos(): Promise<RawRestEpos & { port: number; connections: () => number }> {
  const epos = await rawRestEpos(() => [200, FIXTURES.GetOrderById.result]);
  let connections = 0;
  epos.server.on('connection', () => { connections += 1; });
  return Object.assign(epos, { port: Number(new URL(epos.url).port), connections: () => connections });
}

describe('the address policy', () => {
  it('names every forbidden IPv4 range', () => {
    const cases: [string, RegExp][] = [
      ['0.0.0.0', /unspecified/], ['0.1.2.3', /unspecified/], ['10.0.0.1', /private/], ['100.64.0.1', /carrier-grade NAT/],
      ['100.127.255.255', /carrier-grade NAT/], ['127.0.0.1', /loopback/], ['127.255.0.9', /loopback/], ['169.254.169.254', /link-local/],
      ['172.16.0.1', /private/], ['172.31.255.255', /private/], ['192.0.0.8', /IETF protocol/], ['192.0.2.1', /documentation/],
      ['192.88.99.1', /6to4 relay/], ['192.168.1.1', /private/], ['198.18.0.1', /benchmarking/], ['198.19.255.254', /benchmarking/],
      ['198.51.100.7', /documentation/], ['203.0.113.9', /documentation/], ['224.0.0.1', /multicast/], ['239.255.255.250', /multicast/],
      ['240.0.0.1', /reserved/], ['255.255.255.254', /reserved/], ['255.255.255.255', /broadcast/],
    ];
    for (const [ip, kind] of cases) assert.match(forbiddenAddress(ip) ?? 'allowed', kind, ip);
  });

  it('names every forbidden IPv6 range, and the IPv4 address a range embeds', () => {
    const cases: [string, RegExp][] = [
      ['::', /unspecified/], ['::1', /^a loopback address$/],
      ['::127.0.0.1', /IPv4-compatible address \(embeds 127\.0\.0\.1, a loopback address\)/],
      ['::ffff:127.0.0.1', /IPv4-mapped address \(embeds 127\.0\.0\.1, a loopback address\)/],
      ['::ffff:a00:1', /IPv4-mapped address \(embeds 10\.0\.0\.1, a private address\)/],
      ['::ffff:8.8.8.8', /IPv4-mapped address \(embeds 8\.8\.8\.8\)$/],
      ['::ffff:0:127.0.0.1', /SIIT\) address \(embeds 127\.0\.0\.1, a loopback address\)/],
      ['64:ff9b::127.0.0.1', /NAT64 address \(embeds 127\.0\.0\.1/], ['64:ff9b::a9fe:a9fe', /NAT64 address \(embeds 169\.254\.169\.254, a link-local/],
      ['64:ff9b:1::1', /local-use NAT64/],
      ['2002:7f00:1::', /6to4 address \(embeds 127\.0\.0\.1/], ['2002:c0a8:101::1', /6to4 address \(embeds 192\.168\.1\.1, a private/],
      ['2001:0:4136:e378:8000:63bf:80ff:fffe', /Teredo address \(embeds 127\.0\.0\.1/],
      ['2001:db8::1', /documentation/], ['fc00::1', /unique local/], ['fdff::1', /unique local/], ['fe80::1', /link-local/],
      ['febf::1', /link-local/], ['fec0::1', /site-local/], ['feff::1', /site-local/], ['ff02::1', /multicast/],
    ];
    for (const [ip, kind] of cases) assert.match(forbiddenAddress(ip) ?? 'allowed', kind, ip);
  });

  it('lets public addresses and names through', () => {
    for (const ok of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '198.20.0.1', '223.255.255.255', '2606:4700::1111', '2a00:1450::1', 'epos.example.com']) {
      assert.equal(forbiddenHost(ok), undefined, ok);
    }
  });

  it('treats localhost, localhost. and *.localhost(.) as loopback names, brackets and case aside', () => {
    for (const h of ['localhost', 'localhost.', 'LOCALHOST', 'api.localhost', 'api.localhost.', '[::1]', '[::7f00:1]']) {
      assert.match(forbiddenHost(h) ?? 'allowed', /loopback/, h);
    }
    assert.equal(forbiddenHost('localhost.example.com'), undefined, 'only the localhost domain itself');
  });
});

test('production registration refuses every URL of the finding, naming the kind and the embedded IPv4', async (t) => {
  const p = await testPlatform();
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'production');
  const cases: [string, RegExp][] = [
    ['https://localhost./', /localhost\. is a loopback host/],
    ['https://api.localhost./', /a loopback host/],
    ['https://[::127.0.0.1]/', /IPv4-compatible address \(embeds 127\.0\.0\.1, a loopback address\)/],
    ['https://[::ffff:0:127.0.0.1]/', /SIIT\) address \(embeds 127\.0\.0\.1, a loopback address\)/],
    ['https://[64:ff9b::127.0.0.1]/', /NAT64 address \(embeds 127\.0\.0\.1, a loopback address\)/],
    ['https://[2002:7f00:1::1]/', /6to4 address \(embeds 127\.0\.0\.1, a loopback address\)/],
    ['https://[fec0::1]/', /site-local/],
    ['https://198.18.0.1/', /benchmarking/],
    ['https://224.0.0.1/', /multicast/],
    ['https://240.0.0.1/', /reserved/],
    ['https://255.255.255.255/', /broadcast/],
    ['https://127.1/', /127\.0\.0\.1 is a loopback address/],
  ];
  for (const [url, why] of cases) {
    const res = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities, auth, url } });
    assert.equal(res.status, 400, `${url}: ${res.text}`);
    assert.equal(res.body.error, 'VALIDATION_FAILED');
    assert.equal(res.body.details[0].path, '$.url');
    assert.match(res.body.details[0].message, /must be publicly reachable/, url);
    assert.match(res.body.details[0].message, why, url);
  }
});

describe('connect-time check in the REST transport', () => {
  const transports: RestTransport[] = [];
  const servers: RawRestEpos[] = [];
  after(async () => {
    await Promise.all(transports.map((x) => x.close()));
    await Promise.all(servers.map((s) => s.close()));
  });
  function transport(baseUrl: string, extra: Partial<RestTransportOptions> = {}): RestTransport {
    const x = new RestTransport({ resolve: async () => ({ baseUrl, username: 'u', password: 'p' }), ...extra });
    transports.push(x);
    return x;
  }
  async function refusal(x: RestTransport, tenant: Tenant): Promise<PlatformError> {
    const err = await x.call(tenant, capability('GetOrderById'), { orderId: 'o-1' }, {}, { timeoutMs: 3000 }).then(
      () => assert.fail('the call should have been refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PlatformError, String(err));
    return err;
  }

  it('refuses a production target whose name resolves to loopback, before any connection', async () => {
    const epos = await countingEpos();
    servers.push(epos);
    // `localhost` resolves to 127.0.0.1 through /etc/hosts: the system resolver, no stand-in.
    const err = await refusal(transport(`http://localhost:${epos.port}`), PROD);
    assert.equal(err.code, 'TARGET_FORBIDDEN');
    assert.equal(err.status, 502);
    assert.match(err.message, /^the EPOS host localhost resolves to 127\.0\.0\.1, a loopback address; .*PUT \/epos\/integrations\/rest/);
    assert.equal(epos.connections(), 0, 'no TCP connection was opened');
    assert.equal(epos.calls.length, 0);
  });

  it('refuses a production target named by a forbidden IP literal (no lookup happens for those)', async () => {
    const epos = await countingEpos();
    servers.push(epos);
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]']) {
      const err = await refusal(transport(`http://${host}:${epos.port}`), PROD);
      assert.equal(err.code, 'TARGET_FORBIDDEN', host);
      assert.match(err.message, /is an? .*loopback address/, host);
    }
    assert.equal(epos.connections(), 0);
  });

  it('refuses a name that resolves to a private address, or to a mix of public and private ones (a stand-in for DNS)', async () => {
    const answers: Record<string, LookupAddress[]> = {
      'internal.example': [{ address: '10.0.0.5', family: 4 }],
      'mixed.example': [{ address: '93.184.216.34', family: 4 }, { address: 'fd00::5', family: 6 }],
      'nat64.example': [{ address: '64:ff9b::a9fe:a9fe', family: 6 }],
    };
    const lookupHost = async (h: string) => answers[h] ?? [];
    const cases: [string, RegExp][] = [
      ['internal.example', /internal\.example resolves to 10\.0\.0\.5, a private address/],
      ['mixed.example', /mixed\.example resolves to fd00::5, a private \(unique local\) address/],
      ['nat64.example', /resolves to 64:ff9b::a9fe:a9fe, a NAT64 address \(embeds 169\.254\.169\.254, a link-local address\)/],
    ];
    for (const [host, why] of cases) {
      const err = await refusal(transport(`https://${host}`, { lookupHost }), PROD);
      assert.equal(err.code, 'TARGET_FORBIDDEN', host);
      assert.match(err.message, why);
    }
  });

  it('leaves sandbox targets unchecked unless told to guard them', async () => {
    const epos = await countingEpos();
    servers.push(epos);
    const open = await transport(`http://localhost:${epos.port}`).call(SANDBOX, capability('GetOrderById'), { orderId: 'o-1' }, {}, { timeoutMs: 3000 });
    assert.deepEqual(open, FIXTURES.GetOrderById.result);
    const err = await refusal(transport(`http://localhost:${epos.port}`, { guardTarget: () => true }), SANDBOX);
    assert.equal(err.code, 'TARGET_FORBIDDEN');
    assert.equal(epos.calls.length, 1, 'only the unguarded call arrived');
  });
});

describe('the guarded lookup', () => {
  const lookup = (resolve: (h: string) => Promise<LookupAddress[]>, host: string, options: Omit<LookupOneOptions, 'all'> & { all?: boolean }) =>
    new Promise<{ err: NodeJS.ErrnoException | null; rest: unknown[] }>((done) => {
      guardedLookup(resolve)(host, options as never, (err: NodeJS.ErrnoException | null, ...rest: unknown[]) => done({ err, rest }));
    });

  it('resolves once and hands net.connect exactly the addresses it checked (pinned, no second resolution)', async () => {
    let asked = 0;
    // A rebinding name: public on the first question, loopback on any later one.
    const rebinding = async () => (asked++ === 0 ? [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }] : [{ address: '127.0.0.1', family: 4 }]);
    const all = await lookup(rebinding, 'rebind.example', { all: true });
    assert.equal(all.err, null);
    assert.deepEqual(all.rest[0], [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }]);
    assert.equal(asked, 1);
    const later = await lookup(rebinding, 'rebind.example', {});
    assert.equal((later.err as unknown as PlatformError).code, 'TARGET_FORBIDDEN', 'a later connection checks its own answer');
  });

  it('answers one address of the asked family when not asked for all', async () => {
    const both = async () => [{ address: '2606:2800:220:1::1', family: 6 }, { address: '93.184.216.34', family: 4 }];
    const one = await lookup(both, 'x.example', { family: 4 });
    assert.deepEqual([one.err, ...one.rest], [null, '93.184.216.34', 4]);
  });

  it('passes a resolver failure on and calls a name without addresses not found', async () => {
    const failing = async () => { throw Object.assign(new Error('getaddrinfo EAI_AGAIN x'), { code: 'EAI_AGAIN' }); };
    assert.equal((await lookup(failing, 'x.example', {})).err?.code, 'EAI_AGAIN');
    assert.equal((await lookup(async () => [], 'x.example', {})).err?.code, 'ENOTFOUND');
    const throwing = (() => { throw new Error('resolver broke'); }) as never;
    assert.match((await lookup(throwing, 'x.example', {})).err?.message ?? '', /resolver broke/, 'a throwing resolver is an error, not a crash');
    assert.match((await lookup((() => Promise.reject('odd')) as never, 'x.example', {})).err?.message ?? '', /lookup of x\.example failed: odd/);
  });
});

describe('a sandbox platform with forbidPrivateTargets', () => {
  async function setup(t: { after(fn: () => Promise<void>): void }, opts: { forbidPrivateTargets?: boolean } = {}) {
    const p = await testPlatform(opts);
    t.after(() => p.destroy());
    const { key } = await p.keys.create('acc-1', 'sandbox');
    const epos = await countingEpos();
    t.after(() => epos.close());
    return { p, key, epos };
  }

  it('accepts the registration of a name resolving to loopback but refuses its calls at connect time', async (t) => {
    const { p, key, epos } = await setup(t, { forbidPrivateTargets: true });
    const reg = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities, auth, url: `http://localhost:${epos.port}` } });
    assert.equal(reg.status, 200, reg.text);
    const res = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key });
    assert.equal(res.status, 502, res.text);
    assert.equal(res.body.error, 'TARGET_FORBIDDEN');
    assert.match(res.body.message, /^the EPOS host localhost resolves to 127\.0\.0\.1, a loopback address/);
    assert.equal(epos.calls.length, 0, 'the EPOS listening there got no request');
    assert.equal(epos.connections(), 0, 'nor a connection');
  });

  it('without the flag, the same registration and call reach the EPOS', async (t) => {
    const { p, key, epos } = await setup(t);
    await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities, auth, url: `http://localhost:${epos.port}` } });
    const res = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key });
    assert.equal(res.status, 200, res.text);
    assert.equal(epos.calls.length, 1);
  });

  it('EPOSGATE_FORBID_PRIVATE_TARGETS=1 turns the flag on', async (t) => {
    const before = process.env.EPOSGATE_FORBID_PRIVATE_TARGETS;
    process.env.EPOSGATE_FORBID_PRIVATE_TARGETS = '1';
    t.after(() => {
      if (before === undefined) delete process.env.EPOSGATE_FORBID_PRIVATE_TARGETS;
      else process.env.EPOSGATE_FORBID_PRIVATE_TARGETS = before;
    });
    const { p, key, epos } = await setup(t);
    await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities, auth, url: `http://127.0.0.1:${epos.port}` } });
    const res = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key });
    assert.equal(res.body.error, 'TARGET_FORBIDDEN', res.text);
    assert.match(res.body.message, /the EPOS host 127\.0\.0\.1 is a loopback address/);
    assert.equal(epos.calls.length, 0);
  });
});
