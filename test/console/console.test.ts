// The web console in headless Chromium against a real platform and the reference EPOS over
// WebSocket: sign in with a key, the registrations, a Pay at Table run watched to success, hostile
// EPOS strings shown as text, sign-out, a revoked key sent back to sign-in, and pages whose API the
// platform lacks saying so.
// test: long
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startE2E, type E2E } from '../e2e/setup.ts';
import { launch, newPage, screenshot, signInWithKey } from './browser.ts';

const XSS = '<img src=x onerror=window.__xss=1>';

let h: E2E;
let browser: Browser;
before(async () => {
  h = await startE2E('ws', { platform: { testerCallTimeoutMs: 5000 } });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test('a vendor signs in with an API key, sees the registrations, runs Pay at Table to success and signs out', async () => {
  const { page, errors } = await newPage(browser);
  await page.goto(`${h.p.url}/console`);
  await page.waitForSelector('input[name=apiKey]');
  assert.equal(await page.inputValue('input[name=softwareHouseId]'), 'eposgate-console', 'the software-house-id defaults');
  await screenshot(page, '01-sign-in');

  // A wrong key stays on the form with the platform's own message.
  await page.fill('input[name=apiKey]', 'sk_sandbox_notARealKey_0000000000000000');
  await page.click('button[type=submit]');
  await page.waitForSelector('.notice.error');
  assert.match(await page.textContent('.notice.error') ?? '', /UNKNOWN_API_KEY.*Unknown API key/);

  await signInWithKey(page, h.p.url, h.key);
  assert.deepEqual(await page.evaluate(() => document.cookie), '', 'no cookie is set');
  assert.ok(await page.evaluate(() => Object.keys(sessionStorage).length === 1), 'the session lives in sessionStorage');

  await page.click('nav.side a[href="#/registrations"]');
  await page.waitForSelector('[data-testid=registrations-ws] table');
  const ws = await page.textContent('[data-testid=registrations-ws]') ?? '';
  for (const cap of ['SearchOrders', 'GetOrderById', 'RecordOrderPaymentById']) assert.ok(ws.includes(cap), `${cap} listed: ${ws}`);
  assert.match(await page.textContent('[data-testid=registrations-rest]') ?? '', /Nothing registered on REST/);
  await screenshot(page, '02-registrations');

  await page.click('nav.side a[href="#/tester"]');
  const row = page.locator('tr[data-flow="Pay at Table"]');
  await row.locator('td .badge.ok').waitFor();
  assert.equal(await row.locator('td .badge.ok').textContent(), 'yes', 'the flow applies to what the EPOS registered');
  await row.locator('button').click();
  await page.fill('[data-testid=run-form] input[name=tipAmount]', '200');
  await screenshot(page, '03-tester-form');
  await page.click('[data-testid=run-form] button[type=submit]');
  await page.waitForSelector('h1 .badge[data-status=SUCCESS]', { timeout: 60_000 });
  const steps = page.locator('[data-testid=steps] > li');
  assert.ok(await steps.count() >= 5, 'the run shows its steps');
  assert.equal(await page.locator('[data-testid=steps] > li[data-step-status=SUCCESS]').count(), await steps.count(), 'every step succeeded');
  // A step's raw exchange opens: the call, its params and the EPOS's answer.
  const exchange = page.locator('[data-testid=steps] details').filter({ hasText: 'RecordOrderPaymentById' }).first();
  await exchange.locator('summary').click();
  assert.match(await exchange.textContent() ?? '', /"tipsAmount": \{\s*"value": 200/, 'the tip given in the form was paid');
  await screenshot(page, '04-tester-run');

  await page.click('[data-testid=sign-out]');
  await page.waitForSelector('input[name=apiKey]');
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).length), 0, 'sign-out clears the session');
  await page.reload();
  await page.waitForSelector('input[name=apiKey]');
  assert.deepEqual(errors, []);
});

test('EPOS-supplied strings are shown as text and never run as markup', async () => {
  const { page, errors } = await newPage(browser);
  // A hostile software-house-id (shown in the nav) and an order id the EPOS quotes back in its
  // NotFound message, which the tester shows as the step's information and in the raw exchange.
  await signInWithKey(page, h.p.url, h.key, XSS);
  await page.goto(`${h.p.url}/console#/tester`);
  await page.locator('tr[data-flow="Get Order"] button').click();
  await page.fill('[data-testid=run-form] input[name=orderId]', XSS);
  await page.click('[data-testid=run-form] button[type=submit]');
  await page.waitForSelector('h1 .badge[data-status=FAILURE]', { timeout: 60_000 });
  await page.locator('[data-testid=steps] details summary').first().click();
  const text = await page.textContent('main') ?? '';
  assert.ok(text.includes(`order ${XSS} does not exist`), `the EPOS's message is shown literally: ${text.slice(0, 2000)}`);
  assert.ok((await page.textContent('[data-testid=who]'))?.includes(XSS), 'the software-house-id is shown literally');
  await screenshot(page, '05-injection');
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, 'no injected handler ran');
  assert.equal(await page.locator('img').count(), 0, 'no element was made from the string');
  assert.deepEqual(errors, []);
});

test('a page whose API the platform does not have says it is not available there, and the rest still works', async () => {
  const { page, errors } = await newPage(browser);
  // The answer of a platform without these routes (an older version): its 404 for an unknown route.
  // Set before signing in: sign-in lands on #/connections, and going to the URL it is already at
  // would not load the page again.
  for (const path of ['/epos/logs', '/epos/connections', '/epos/readiness', '/epos/events/deliveries', '/epos/integrations/history']) {
    await page.route((u) => u.pathname.startsWith(path), (route) => route.fulfill({
      status: 404, contentType: 'application/json',
      body: JSON.stringify({ error: 'NOT_FOUND', message: `No route ${route.request().method()} ${path}`, traceId: 't' }),
    }));
  }
  await signInWithKey(page, h.p.url, h.key);
  for (const [hash, count] of [['connections', 2], ['calls', 2], ['deliveries', 1]] as const) {
    await page.goto(`${h.p.url}/console#/${hash}`);
    await page.waitForSelector('[data-testid=not-available]');
    assert.equal(await page.locator('[data-testid=not-available]').count(), count, `#/${hash}`);
    assert.match(await page.textContent('[data-testid=not-available]') ?? '', /not available on this platform/);
    if (hash === 'calls') await screenshot(page, '06-not-available');
  }
  // Registrations: the current set is there, only its history is not.
  await page.goto(`${h.p.url}/console#/registrations`);
  await page.waitForSelector('[data-testid=registrations-ws] table');
  assert.match(await page.textContent('[data-testid=not-available]') ?? '', /Registration history: not available/);
  assert.ok(await page.isVisible('nav.side'), 'still signed in');
  assert.deepEqual(errors, []);
});

test('a key revoked while signed in sends the console back to sign-in with the platform\'s message', async () => {
  const { key, record } = await h.p.keys.create(h.tenant.accountId, 'sandbox');
  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, key);
  await h.p.keys.revoke(record.id);
  await page.click('nav.side a[href="#/registrations"]');
  await page.waitForSelector('.signin .notice.error');
  assert.match(await page.textContent('.signin .notice.error') ?? '', /REVOKED_API_KEY.*revoked/);
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).length), 0, 'the session is gone');
  await screenshot(page, '07-revoked');
  assert.deepEqual(errors, []);
});
