// Error bodies quote a REST target's answer only as a short excerpt with secret-like values redacted:
// a sandbox "EPOS" may be an internal service whose answer is not the caller's to read.
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { PlatformError } from '../../packages/eposgate/src/platform/errors.ts';
import { EPOS_ERROR_TEXT_CHARS, redactedBodyExcerpt } from '../../packages/eposgate/src/platform/transports/eposAnswer.ts';
import { isSecretKey, redactedExcerpt, redactedJson, redactedJsonText, mayHoldSecret } from '../../packages/eposgate/src/platform/redaction.ts';
import { FIXTURES } from '../fixtures/contract.ts';
import { api, testPlatform } from '../helpers/platform.ts';
import { rawRestEpos, rawWsEpos } from '../helpers/rawEpos.ts';

const auth = { authType: 'basic', basic: { username: 'u', password: 'p' } };
const SECRETS = ['hunter2-db-pw', 'AKIA-INTERNAL-KEY', 'tok-0123456789', '4111111111111111'];

/** What an internal service might answer: nothing like an Order, full of secrets and bulk. */
const INTERNAL = {
  service: 'billing-internal',
  config: { dbPassword: SECRETS[0], awsApiKey: SECRETS[1], session: { accessToken: SECRETS[2] } },
  customers: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `customer ${i}`, card: { pan: SECRETS[3] } })),
  blob: 'z'.repeat(50_000),
};

async function setup(t: { after(fn: () => Promise<void>): void }, answer: [number, unknown], limits = {}) {
  const p = await testPlatform({ limits });
  t.after(() => p.destroy());
  const { key } = await p.keys.create('acc-1', 'sandbox');
  const epos = await rawRestEpos(() => answer);
  t.after(() => epos.close());
  const reg = await api(p.url, 'PUT', '/epos/integrations/rest', { key, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }], auth, url: epos.url } });
  assert.equal(reg.status, 200, reg.text);
  return { p, key };
}

test("a CONTRACT_VIOLATION from an internal service quotes a short redacted excerpt, never the service's answer", async (t) => {
  const { p, key } = await setup(t, [200, INTERNAL]);
  const res = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(res.status, 502, res.text.slice(0, 500));
  assert.equal(res.body.error, 'CONTRACT_VIOLATION');
  assert.equal(res.body.result, undefined, 'no result in the body');
  for (const s of SECRETS) assert.ok(!res.text.includes(s), `the body quotes ${s}`);
  assert.ok(!res.text.includes('z'.repeat(300)), 'the bulk is not quoted');
  assert.ok(res.text.length < 6000, `the body is short (${res.text.length} chars)`);
  assert.ok(res.body.resultExcerpt.length <= p.limits.errorExcerptChars + 1, res.body.resultExcerpt);
  assert.match(res.body.resultExcerpt, /^\{"service":"billing-internal","config":\{"dbPassword":"\[redacted\]","awsApiKey":"\[redacted\]"/);
  assert.ok(res.body.details.length >= 1 && res.body.details.length <= 10, `${res.body.details.length} issues quoted`);
  assert.match(res.body.message, /breaks the contract at \$\S*: /);
});

test('the first issues keep their path, expected and a short actual; a huge actual is clipped and redacted', async (t) => {
  const bad = structuredClone(FIXTURES.GetOrderById.result) as any;
  bad.items[0].quantity = 'two';
  bad.items[0].name = { secret: SECRETS[0], note: 'n'.repeat(5000) };
  const { p, key } = await setup(t, [200, bad], { errorExcerptChars: 60 });
  const res = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(res.body.error, 'CONTRACT_VIOLATION', res.text.slice(0, 500));
  const quantity = res.body.details.find((d: any) => d.path === '$.items[0].quantity');
  assert.deepEqual([quantity.actual, quantity.expected], ['two', 'integer']);
  const name = res.body.details.find((d: any) => d.path === '$.items[0].name');
  assert.ok(name, res.text);
  assert.equal(typeof name.actual, 'string');
  assert.ok(name.actual.length <= 61, name.actual);
  assert.match(name.actual, /^\{"secret":"\[redacted\]","note":"nnn/);
  assert.ok(!res.text.includes(SECRETS[0]));
});

test('the dispatcher keeps the whole result for the tester on a property no JSON body carries', async (t) => {
  const { p } = await setup(t, [200, INTERNAL]);
  const err = await p.dispatcher.invoke({ accountId: 'acc-1', env: 'sandbox' }, 'GetOrderById', { orderId: 'o-1' }).then(
    () => assert.fail('a contract violation was expected'),
    (e: unknown) => e as PlatformError,
  );
  assert.equal(err.code, 'CONTRACT_VIOLATION');
  assert.deepEqual(err.extra?.result, INTERNAL, 'the tester reads extra.result whole');
  assert.ok('result' in err.extra!, "the tester's `'result' in extra` check holds");
  assert.ok(!JSON.stringify(err.toJSON('t')).includes(SECRETS[0]));
});

test('a non-JSON error page from a REST target is quoted redacted and clipped to errorExcerptChars', async (t) => {
  const page = `db connection failed: user=app password=${SECRETS[0]} token: ${SECRETS[2]} ` + 'trace '.repeat(2000);
  const { p, key } = await setup(t, [500, page], { errorExcerptChars: 80 });
  const res = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(res.status, 502);
  assert.equal(res.body.error, 'EPOS_BAD_RESPONSE');
  assert.match(res.body.message, /HTTP 500 to GetOrderById with non-JSON \(content-type text\/plain\): db connection failed: user=app password=\[redacted\] token: \[redacted\]/);
  for (const s of SECRETS) assert.ok(!res.text.includes(s), s);
  assert.ok(res.body.message.length < 250, res.body.message);
});

test('a JSON error body that is not an EPOSError is quoted redacted', async (t) => {
  const { p, key } = await setup(t, [403, { error: 'denied', clientSecret: SECRETS[1] }]);
  const res = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(res.body.error, 'EPOS_BAD_RESPONSE');
  assert.match(res.body.message, /a body that is not an EPOSError: \{"error":"denied","clientSecret":"\[redacted\]"\}/);
});

describe('redaction', () => {
  it('knows secret-like keys by word, not by accident of spelling', () => {
    for (const k of ['password', 'dbPassword', 'secret', 'client_secret', 'token', 'accessToken', 'auth', 'Authorization', 'apiKey', 'x-api-key', 'key', 'card', 'cardNumber', 'pan', 'PAN', 'cvv', 'cvc']) {
      assert.equal(isSecretKey(k), true, k);
    }
    for (const k of ['company', 'panel', 'expand', 'keyboard', 'monkey', 'name', 'id', 'author', 'keyword']) {
      assert.equal(isSecretKey(k), false, k);
    }
  });

  it('stops walking once the excerpt is full, however large the value', () => {
    const huge = Array.from({ length: 200_000 }, (_, i) => ({ i, password: 'p' }));
    const t0 = performance.now();
    const out = redactedExcerpt(huge, 100);
    assert.ok(performance.now() - t0 < 50, 'bounded by the excerpt, not the value');
    assert.equal(out, `${'[{"i":0,"password":"[redacted]"},{"i":1,"password":"[redacted]"},{"i":2,"password":"[redacted]"},{"i":3,"'.slice(0, 100)}…`);
  });

  it('redactedJson (the call log\'s fast path) writes exactly what redactedExcerpt writes, secrets redacted at any depth', () => {
    const values: unknown[] = [
      FIXTURES.GetOrderById.result, { orderId: 'ord-1' }, null, 7, 'a "quoted" \u0001 string', [1, 'two', null, { three: 3 }], {},
      { order: { items: [{ name: 'x', card: { number: '4111', cvv: '123' } }] } }, // a secret deep down: redacted
      { a: [{ b: { apiKey: 'k' } }] }, { when: new Date(0) }, { gone: undefined, kept: 1 }, [undefined, 1],
      { long: 'x'.repeat(300) }, { esc: '\n'.repeat(60) }, Object.assign(Object.create(null) as object, { p: 1 }),
      { nested: Array.from({ length: 40 }, (_, i) => ({ i, name: `n${i}` })) },
    ];
    for (const v of values) {
      for (const max of [8192, 100, 20]) assert.equal(redactedJson(v, max), redactedExcerpt(v, max), `${max}: ${JSON.stringify(v)?.slice(0, 60)}`);
    }
    assert.doesNotMatch(redactedJson({ order: { card: { number: '4111' } } }, 8192), /4111/);
    assert.equal(redactedJson({ a: [{ b: { apiKey: 'k' } }] }, 8192), '{"a":[{"b":{"apiKey":"[redacted]"}}]}');
  });

  it('with the JSON text given (or only the text), a text that cannot spell a secret-like key is kept as it is, and the rest still redacted, exactly as the walk writes it', () => {
    // Plain JSON values (what an EPOS answers), their keys drawn from secret-like and harmless
    // ones, spelled in other cases and with non-ASCII letters; every one of them is checked.
    const keys = ['name', 'id', 'items', 'Password', 'apiKey', 'api_key', 'cardNumber', 'PIN', 'company', 'spinach', 'monKey', 'Tok\u212aen',
      'api\u212aey', 'p\u0130n', 'café', 'ümlaut', 'AUTH', 'pan', 'panel', 'cvc2', 'secrets'];
    const values = ['4111', 'Pinot Noir', 'crème brûlée', 'a "quote"', '', 12.5, true, null];
    let n = 0;
    let fast = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      let x = seed;
      const next = (k: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % k;
      const make = (depth: number): unknown => {
        if (depth > 2 || next(3) === 0) return values[next(values.length)];
        if (next(4) === 0) return Array.from({ length: next(3) }, () => make(depth + 1));
        return Object.fromEntries(Array.from({ length: next(4) }, () => [keys[next(keys.length)]!, make(depth + 1)]));
      };
      const v = { ...(FIXTURES.GetOrderById.result as object), extra: make(0) };
      const json = JSON.stringify(v);
      for (const max of [8192, 300, 40]) {
        assert.equal(redactedJson(v, max, json), redactedExcerpt(v, max), `${max}: ${json}`);
        // The call log's queue keeps only the text and parses it again when it may hold a secret.
        assert.equal(redactedJsonText(json, max), redactedExcerpt(v, max), `text only, ${max}: ${json}`);
        n++;
        if (!mayHoldSecret(json.slice(0, max))) fast++;
      }
    }
    assert.ok(fast > n / 10 && fast < n, `both paths taken (${fast} of ${n} by the text)`);
  });

  it('every key with a character that lower-cases into ASCII letters is caught by the text check when isSecretKey takes it', () => {
    // The Kelvin sign lower-cases to "k", "İ" to "i" and a combining dot: keys spelled with such
    // characters, and with every other code point that does, in the places a secret word has letters.
    const odd: string[] = [];
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (/[a-z]/.test(c.toLowerCase())) odd.push(c);
    }
    assert.ok(odd.includes('\u212a') && odd.includes('\u0130'), 'the known ones are among them');
    for (const c of odd) {
      for (const word of ['apikey', 'password', 'token', 'cardnumber', 'secret', 'cvv', 'pin']) {
        for (let i = 0; i < word.length; i++) {
          const key = word.slice(0, i) + c + word.slice(i + 1);
          if (isSecretKey(key)) assert.ok(mayHoldSecret(JSON.stringify({ [key]: 1 })), `${JSON.stringify(key)} (U+${c.codePointAt(0)!.toString(16)})`);
        }
      }
    }
  });

  it('redacts key=value and "key": value in text', () => {
    assert.equal(redactedBodyExcerpt('a=1&password=x y&apiKey=z', 200), 'a=1&password=[redacted] y&apiKey=[redacted]');
    assert.equal(redactedBodyExcerpt('{"token": "abc", "ok": 1', 200), '{"token": [redacted], "ok": 1');
  });
});

test('an EPOSError from a REST target is passed on with its contract fields only', async (t) => {
  const { p, key } = await setup(t, [404, { errorType: 'NotFound', debugMessage: 'no order o-1', traceId: 'tr-1', internal: { dbPassword: SECRETS[0] } }]);
  const res = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(res.status, 404, res.text);
  assert.deepEqual(res.body, { errorType: 'NotFound', debugMessage: 'no order o-1', traceId: 'tr-1' });
});

test("an EPOSError's debugMessage is passed on cut to EPOS_ERROR_TEXT_CHARS, over REST and over WS", async (t) => {
  const long = { errorType: 'NotFound', debugMessage: `no such order ${'x'.repeat(200_000)}`, traceId: 't'.repeat(50_000) };
  const { p, key } = await setup(t, [404, long]);
  const rest = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key });
  assert.equal(rest.status, 404, rest.text.slice(0, 300));
  assert.ok(rest.text.length < 4 * EPOS_ERROR_TEXT_CHARS, `REST answer is ${rest.text.length} chars`);
  assert.match(rest.body.debugMessage ?? rest.body.eposError?.debugMessage ?? '', /^no such order x+…\(\+\d+ chars\)$/);

  const { key: wsKey } = await p.keys.create('acc-ws', 'sandbox');
  const epos = await rawWsEpos(p.url, wsKey, () => ({ error: long }));
  t.after(() => epos.close());
  const reg = await api(p.url, 'PUT', '/epos/integrations/ws', { key: wsKey, body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }] } });
  assert.equal(reg.status, 200, reg.text);
  const ws = await api(p.url, 'GET', '/epos/data/v1/orders/o-1', { key: wsKey });
  assert.equal(ws.status, 404, ws.text.slice(0, 300));
  assert.ok(ws.text.length < 4 * EPOS_ERROR_TEXT_CHARS, `WS answer is ${ws.text.length} chars`);
  assert.equal(ws.text, rest.text.replace(rest.body.traceId ?? '\u0000', ws.body.traceId ?? '\u0000'));
});
