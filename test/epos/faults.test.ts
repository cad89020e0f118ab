// The reference EPOS told to fail: the spec parser, each fault kind on each transport through a
// real platform, probability and next-N, and the sandbox-only control API.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { FaultInjector, breakResult, formatFault, parseFaults } from '../../packages/eposgate/src/epos/faults.ts';
import { runReferenceEpos, type RunningEpos } from '../../packages/eposgate/src/epos/run.ts';
import { capability } from '../../packages/contract/src/catalogue.ts';
import { validateResult } from '../../packages/contract/src/validate.ts';
import { api, testPlatform, type TestPlatform } from '../helpers/platform.ts';
import type { StartPlatformOptions } from '../../packages/eposgate/src/platform/platform.ts';

describe('fault specs', () => {
  test('every kind parses, with probability, next-N, several joined by commas', () => {
    const f = parseFaults('RecordOrderPaymentById:duplicates, CreateOrderLock:error=Conflict#1,*:delay=200@0.1,GetOrderById:timeout,HandleEvent:payment_intent.created:disconnect,SearchOrders:contract,RecordOrderPaymentById:ignore-locks#3,HandleEvent:duplicates');
    assert.deepEqual(f, [
      { capability: 'RecordOrderPaymentById', kind: 'duplicates' },
      { capability: 'CreateOrderLock', kind: 'error', errorType: 'Conflict', remaining: 1 },
      { capability: '*', kind: 'delay', delayMs: 200, probability: 0.1 },
      { capability: 'GetOrderById', kind: 'timeout' },
      { capability: 'HandleEvent:payment_intent.created', kind: 'disconnect' },
      { capability: 'SearchOrders', kind: 'contract' },
      { capability: 'RecordOrderPaymentById', kind: 'ignore-locks', remaining: 3 },
      { capability: 'HandleEvent', kind: 'duplicates' },
    ]);
    assert.deepEqual(f.map(formatFault), [
      'RecordOrderPaymentById:duplicates', 'CreateOrderLock:error=Conflict#1', '*:delay=200@0.1', 'GetOrderById:timeout',
      'HandleEvent:payment_intent.created:disconnect', 'SearchOrders:contract', 'RecordOrderPaymentById:ignore-locks#3', 'HandleEvent:duplicates',
    ]);
    assert.deepEqual(parseFaults('  '), []);
  });

  test('a bad spec is refused with a message naming the bad part', () => {
    const cases: Array<[string, RegExp]> = [
      ['GetOrderByID:timeout', /"GetOrderByID" is not a capability \(did you mean GetOrderById\?\)/],
      ['GetOrderById', /fault "GetOrderById": expected CAPABILITY:KIND/],
      ['GetOrderById:explode', /"explode" is not a fault kind; use one of error, delay, timeout, disconnect, contract, duplicates, ignore-locks/],
      ['GetOrderById:error', /error needs an errorType, error=NotFound\|InvalidRequest\|Conflict\|UnexpectedError/],
      ['GetOrderById:error=Teapot', /\(not "Teapot"\)/],
      ['GetOrderById:delay=soon', /delay needs milliseconds from 0 to 600000.*\(not "soon"\)/],
      ['GetOrderById:delay=9999999', /delay needs milliseconds/],
      ['GetOrderById:timeout=5', /timeout takes no value \(remove "=5"\)/],
      ['GetOrderById:timeout@1.5', /probability "1.5" must be a number above 0 and at most 1/],
      ['GetOrderById:timeout@0', /probability "0" must be/],
      ['GetOrderById:timeout#0', /"#0" must be # and a whole number of calls of at least 1/],
      ['GetOrderById:timeout#x', /"#x" must be #/],
      ['GetOrderById:duplicates', /duplicates applies to RecordOrderPaymentById and HandleEvent \(or \*\), not GetOrderById/],
      ['CreateOrderLock:ignore-locks', /ignore-locks applies to RecordOrderPaymentById \(or \*\), not CreateOrderLock/],
      ['GetOrderById:timeout,,ListAreas:timeout', /empty fault/],
    ];
    for (const [spec, msg] of cases) assert.throws(() => parseFaults(spec), msg, spec);
  });

  test('a contract fault breaks the result the way the schema refuses', () => {
    for (const [name, result] of [
      ['GetOrderById', { id: 'o1', status: 'Accepted', totalAmount: { value: 100, currencyCode: 'GBP' }, createdAt: '2026-01-01T00:00:00Z' }],
      ['HandleEvent:payment_intent.created', {}],
      ['ListAreas', [{ id: 'a', name: 'Bar' }]],
    ] as const) {
      const broken = breakResult(capability(name), result);
      assert.ok(validateResult(name, broken)?.length, `${name}: ${JSON.stringify(broken)}`);
    }
  });
});

describe('probability and next-N', () => {
  test('#N applies to the next N calls, then the fault is gone', () => {
    const f = new FaultInjector('RecordOrderPaymentById:ignore-locks#2');
    assert.equal(f.take('GetOrderById', 'ignore-locks'), false, 'another capability does not use it up');
    assert.equal(f.take('RecordOrderPaymentById', 'ignore-locks'), true);
    assert.equal(f.spec, 'RecordOrderPaymentById:ignore-locks#1');
    assert.equal(f.take('RecordOrderPaymentById', 'ignore-locks'), true);
    assert.equal(f.take('RecordOrderPaymentById', 'ignore-locks'), false);
    assert.deepEqual(f.list(), []);
  });

  test('@P applies when the draw falls below P, and stays in force', () => {
    const draws = [0.05, 0.5, 0.29, 0.3];
    const f = new FaultInjector('*:duplicates@0.3', { random: () => draws.shift()! });
    assert.deepEqual([1, 2, 3, 4].map(() => f.take('HandleEvent:payment_intent.created', 'duplicates')), [true, false, true, false]);
    assert.equal(f.spec, '*:duplicates@0.3');
  });

  test('HandleEvent matches every event type; * matches every capability', () => {
    const f = new FaultInjector('HandleEvent:duplicates');
    assert.equal(f.take('HandleEvent:payment_intent.status_updated', 'duplicates'), true);
    assert.equal(f.take('RecordOrderPaymentById', 'duplicates'), false);
  });

  test('over a whole run, @0.5 fails about half the calls and #3 exactly three', async () => {
    const { createReferenceEpos } = await import('../../packages/eposgate/src/epos/index.ts');
    const ref = createReferenceEpos({ dbPath: ':memory:', faults: 'GetOrderById:error=NotFound@0.5,ListAreas:error=Conflict#3' });
    try {
      let notFound = 0;
      for (let i = 0; i < 400; i++) if (!(await ref.epos.invoke('GetOrderById', { orderId: 'ord_0001' })).ok) notFound++;
      assert.ok(notFound > 140 && notFound < 260, `${notFound} of 400`);
      const outs = [];
      for (let i = 0; i < 5; i++) outs.push(await ref.epos.invoke('ListAreas', {}));
      assert.deepEqual(outs.map((o) => (o.ok ? 'ok' : o.error.errorType)), ['Conflict', 'Conflict', 'Conflict', 'ok', 'ok']);
    } finally {
      ref.close();
    }
  });
});

describe('faults in the restaurant\'s logic', () => {
  const event = (id: string, pi: string, status: string) => ({
    id, accountId: 'acc_1', event: 'payment_intent.status_updated', data: { paymentIntentId: pi, paymentStatus: status, captureMode: 'Auto' }, createdAt: '2026-03-14T18:00:00.000Z',
  });
  const paid = async (ref: { epos: { invoke: Function } }) => ((await ref.epos.invoke('GetOrderById', { orderId: 'ord_0007' })) as any).result.paidAmount?.value ?? 0;

  for (const faults of ['', 'HandleEvent:duplicates#1']) {
    test(`a redelivered Reversed event after the intent was paid again ${faults ? 'takes the payment off again under ' + faults : 'changes nothing'}`, async () => {
      const { createReferenceEpos } = await import('../../packages/eposgate/src/epos/index.ts');
      const ref = createReferenceEpos({ dbPath: ':memory:', faults });
      try {
        const pay = () => ref.epos.invoke('RecordOrderPaymentById', { orderId: 'ord_0007', paymentIntentId: 'pi_a', paidAmount: { value: 400, currencyCode: 'GBP' } });
        assert.ok((await pay()).ok);
        const before = await paid(ref);
        assert.ok((await ref.epos.invoke('HandleEvent:payment_intent.status_updated', event('evt_1', 'pi_a', 'Reversed'))).ok);
        assert.equal(await paid(ref), before - 400, 'the reversal takes the payment off');
        assert.ok((await pay()).ok, 'the intent is paid again');
        assert.ok((await ref.epos.invoke('HandleEvent:payment_intent.status_updated', event('evt_1', 'pi_a', 'Reversed'))).ok, 'the redelivery is acknowledged');
        assert.equal(await paid(ref), faults ? before - 400 : before);
        assert.equal(ref.faults.spec, '', 'a #1 logic fault is used up by the one repeat it hit (and none was set otherwise)');
      } finally {
        ref.close();
      }
    });
  }

  test('several faults on one call: the delays add up, then the first other fault wins', async () => {
    const { createReferenceEpos } = await import('../../packages/eposgate/src/epos/index.ts');
    const ref = createReferenceEpos({ dbPath: ':memory:', faults: '*:delay=60,GetOrderById:delay=60,GetOrderById:error=NotFound,*:error=Conflict' });
    try {
      const t0 = Date.now();
      const out = await ref.epos.invoke('GetOrderById', { orderId: 'ord_0001' });
      assert.ok(Date.now() - t0 >= 110, `${Date.now() - t0} ms`);
      assert.equal(out.ok ? 'ok' : out.error.errorType, 'NotFound');
      const other = await ref.epos.invoke('ListAreas', {});
      assert.equal(other.ok ? 'ok' : other.error.errorType, 'Conflict');
    } finally {
      ref.close();
    }
  });

  test('closing the EPOS answers the calls a timeout holds', async () => {
    const { createReferenceEpos } = await import('../../packages/eposgate/src/epos/index.ts');
    const ref = createReferenceEpos({ dbPath: ':memory:', faults: 'GetOrderById:timeout' });
    const held = ref.epos.invoke('GetOrderById', { orderId: 'ord_0001' });
    let settled = false;
    void held.then(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, 'never answered while open');
    ref.close();
    const out = await held;
    assert.equal(out.ok ? 'ok' : out.error.errorType, 'UnexpectedError');
  });
});

// --- through a real platform ---------------------------------------------------------------------

interface Live {
  p: TestPlatform;
  key: string;
  running: RunningEpos;
  getOrder(id?: string): Promise<{ status: number; body: any; ms: number }>;
  close(): Promise<void>;
}

async function live(transport: 'ws' | 'rest', faults: string, opts: Partial<StartPlatformOptions> = {}, env: 'sandbox' | 'production' = 'sandbox', extra: { controlPort?: number; register?: boolean } = {}): Promise<Live> {
  const p = await testPlatform({ callTimeoutMs: 400, ...opts });
  const { key } = await p.keys.create('acc-faults', env);
  const running = await runReferenceEpos({
    transport, platformUrl: p.url, apiKey: key, softwareHouseId: 'faults-test', dbPath: ':memory:', faults, password: 'fault-pass', ...extra,
  }).catch(async (err) => { await p.destroy(); throw err; });
  return {
    p, key, running,
    async getOrder(id = 'ord_0001') {
      const t0 = Date.now();
      const res = await api(p.url, 'GET', `/epos/data/v1/orders/${id}`, { key });
      return { status: res.status, body: res.body, ms: Date.now() - t0 };
    },
    async close() {
      await running.close();
      await p.destroy();
    },
  };
}

for (const transport of ['ws', 'rest'] as const) {
  describe(`each fault kind over ${transport}`, () => {
    test('no fault: the call is answered', async (t) => {
      const l = await live(transport, '');
      t.after(() => l.close());
      const r = await l.getOrder();
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.id, 'ord_0001');
    });

    test('error=Conflict answers that EPOSError, naming the fault', async (t) => {
      const l = await live(transport, 'GetOrderById:error=Conflict');
      t.after(() => l.close());
      const r = await l.getOrder();
      assert.equal(r.status, 409);
      assert.equal(r.body.errorType, 'Conflict');
      assert.match(r.body.debugMessage, /injected fault GetOrderById:error=Conflict/);
    });

    test('delay=MS answers correctly, MS later', async (t) => {
      const l = await live(transport, 'GetOrderById:delay=150');
      t.after(() => l.close());
      const r = await l.getOrder();
      assert.equal(r.status, 200);
      assert.ok(r.ms >= 140, `${r.ms} ms`);
    });

    test('timeout never answers: the platform times the call out', async (t) => {
      const l = await live(transport, 'GetOrderById:timeout');
      t.after(() => l.close());
      const r = await l.getOrder();
      assert.equal(r.status, 504, JSON.stringify(r.body));
      assert.equal(r.body.error, 'EPOS_TIMEOUT');
    });

    test('disconnect drops the connection mid-call', async (t) => {
      const l = await live(transport, 'GetOrderById:disconnect#1');
      t.after(() => l.close());
      const lost = transport === 'ws' ? once(l.running.connection!, 'disconnect') : undefined;
      const r = await l.getOrder();
      assert.equal(r.status, 502, JSON.stringify(r.body));
      assert.equal(r.body.error, 'EPOS_UNREACHABLE', 'the loss is seen at once, not as a timeout');
      assert.ok(r.ms < 350, `${r.ms} ms`);
      if (lost) {
        const [info] = (await lost) as [{ code: number }];
        assert.equal(info.code, 1006, 'the socket was terminated, not closed politely');
        await once(l.running.connection!, 'connect'); // and the SDK comes back
      }
      const again = await l.getOrder();
      assert.equal(again.status, 200, 'the fault was for the next call only');
    });

    test('contract answers a result the contract refuses', async (t) => {
      const l = await live(transport, 'GetOrderById:contract');
      t.after(() => l.close());
      const r = await l.getOrder();
      assert.equal(r.status, 502);
      assert.equal(r.body.error, 'CONTRACT_VIOLATION');
    });

    test('duplicates: a replayed payment is recorded again (double payment)', async (t) => {
      const l = await live(transport, 'RecordOrderPaymentById:duplicates');
      t.after(() => l.close());
      const pay = () => api(l.p.url, 'POST', '/epos/data/v1/orders/ord_0007/record-payment', { key: l.key, body: { paymentIntentId: 'pi_dup', paidAmount: { value: 300, currencyCode: 'GBP' } } });
      const a = await pay();
      assert.equal(a.status, 200, a.text);
      const b = await pay();
      assert.equal(b.status, 200, b.text);
      assert.equal(b.body.paidAmount.value, a.body.paidAmount.value + 300, 'the replay was paid again');
    });

    test('ignore-locks: a payment without the lockId is accepted on a locked order', async (t) => {
      const l = await live(transport, 'RecordOrderPaymentById:ignore-locks#1');
      t.after(() => l.close());
      const lock = await api(l.p.url, 'POST', '/epos/data/v1/orders/ord_0007/lock', { key: l.key, body: { lockId: 'lk_1', expiry: new Date(Date.now() + 60_000).toISOString() } });
      assert.equal(lock.status, 200, lock.text);
      const pay = (id: string) => api(l.p.url, 'POST', '/epos/data/v1/orders/ord_0007/record-payment', { key: l.key, body: { paymentIntentId: id, paidAmount: { value: 100, currencyCode: 'GBP' } } });
      assert.equal((await pay('pi_nolock1')).status, 200, 'the fault let it through');
      const refused = await pay('pi_nolock2');
      assert.equal(refused.status, 409, 'once the fault is used up, the lock holds again');
    });
  });
}

// --- the control API -----------------------------------------------------------------------------

const auth = (u = 'eposgate', p = 'fault-pass') => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

async function control(base: string, method: string, body?: unknown, headers: Record<string, string> = auth()) {
  const res = await fetch(`${base}/_faults`, {
    method, headers: { ...headers, ...(body !== undefined ? { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() as any };
}

describe('the fault control API', () => {
  for (const transport of ['ws', 'rest'] as const) {
    test(`over ${transport}: PUT turns faults on, GET lists them, DELETE turns them off`, async (t) => {
      const l = await live(transport, '', {}, 'sandbox', transport === 'ws' ? { controlPort: 0 } : {});
      t.after(() => l.close());
      const base = transport === 'ws' ? l.running.controlUrl! : l.running.url!;
      assert.deepEqual((await control(base, 'GET')).body, { spec: '', faults: [] });

      const put = await control(base, 'PUT', { faults: 'GetOrderById:error=NotFound#1' });
      assert.equal(put.status, 200);
      assert.deepEqual(put.body.faults, [{ spec: 'GetOrderById:error=NotFound#1', capability: 'GetOrderById', kind: 'error', errorType: 'NotFound', remaining: 1 }]);
      assert.equal((await l.getOrder()).status, 404);
      assert.equal((await l.getOrder()).status, 200, 'the next call only');
      assert.deepEqual((await control(base, 'GET')).body.faults, [], 'a used-up fault is gone');

      assert.equal((await control(base, 'PUT', 'GetOrderById:error=Conflict')).status, 200, 'the spec as text/plain');
      assert.equal((await control(base, 'PUT', { faults: ['ListAreas:timeout', 'GetOrderById:error=Conflict'] })).body.spec, 'ListAreas:timeout,GetOrderById:error=Conflict');
      assert.equal((await l.getOrder()).status, 409);
      const del = await control(base, 'DELETE');
      assert.deepEqual(del.body, { spec: '', faults: [] });
      assert.equal((await l.getOrder()).status, 200);
    });
  }

  test('a bad spec is a 400 naming the bad part, and the faults in force stay', async (t) => {
    const l = await live('rest', 'ListAreas:timeout');
    t.after(() => l.close());
    const bad = await control(l.running.url!, 'PUT', { faults: 'GetOrderById:error=Teapot' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorType, 'InvalidRequest');
    assert.match(bad.body.debugMessage, /fault "GetOrderById:error=Teapot": error needs an errorType/);
    assert.equal((await control(l.running.url!, 'PUT', { nope: 1 })).status, 400);
    assert.equal((await control(l.running.url!, 'GET')).body.spec, 'ListAreas:timeout');
  });

  test('without the basic auth of the EPOS: 401, and nothing changes', async (t) => {
    const l = await live('rest', '');
    t.after(() => l.close());
    const r = await control(l.running.url!, 'PUT', { faults: 'GetOrderById:timeout' }, auth('eposgate', 'wrong'));
    assert.equal(r.status, 401);
    assert.equal((await control(l.running.url!, 'PATCH')).status, 405);
    assert.equal((await l.getOrder()).status, 200);
  });

  test('with a production key: --faults and --control-port are refused, and /_faults answers 403; --control-port with REST is refused', async (t) => {
    await assert.rejects(live('ws', 'GetOrderById:timeout', {}, 'production'), /faults are for sandbox only/);
    await assert.rejects(live('rest', 'GetOrderById:timeout', {}, 'production'), /faults are for sandbox only/);
    await assert.rejects(live('rest', '', {}, 'sandbox', { controlPort: 0 }), /--control-port is for --transport ws/);
    await assert.rejects(live('ws', '', {}, 'production', { controlPort: 0 }), /faults are for sandbox only/);
    const l = await live('rest', '', {}, 'production', { register: false }); // production REST must be https to register
    t.after(() => l.close());
    const r = await control(l.running.url!, 'PUT', { faults: 'GetOrderById:timeout' });
    assert.equal(r.status, 403);
    assert.match(r.body.debugMessage, /sandbox only/);
    assert.equal((await control(l.running.url!, 'GET')).status, 403);
  });
});

// --- the command line ----------------------------------------------------------------------------

describe('eposgate epos --faults', () => {
  test('a bad spec stops the command with the message naming the bad part', async () => {
    const { eposgate } = await import('../helpers/cli.ts');
    const r = await eposgate(['epos', '--api-key', 'sk_sandbox_x', '--faults', 'GetOrderById:error=Teapot', '--db', ':memory:']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /fault "GetOrderById:error=Teapot": error needs an errorType/);
  });

  test('--faults and --control-port: the faults are committed and can be switched while it runs', async (t) => {
    const { spawnEposgate, stop } = await import('../helpers/cli.ts');
    const p = await testPlatform();
    t.after(() => p.destroy());
    const { key } = await p.keys.create('acc-cli-faults', 'sandbox');
    const { child, match, output } = await spawnEposgate(
      ['epos', '--platform', p.url, '--api-key', key, '--db', ':memory:', '--faults', 'GetOrderById:error=Conflict', '--control-port', '0', '--password', 'fault-pass'],
      /fault control: (http:\/\/\S+)\/_faults[\s\S]*faults in force: .*\n/,
    );
    t.after(() => stop(child));
    assert.match(output(), /faults in force: GetOrderById:error=Conflict/);
    assert.equal((await api(p.url, 'GET', '/epos/data/v1/orders/ord_0001', { key })).status, 409);
    const del = await control(match[1], 'DELETE');
    assert.equal(del.status, 200);
    assert.equal((await api(p.url, 'GET', '/epos/data/v1/orders/ord_0001', { key })).status, 200);
  });
});
