// The console's activity pages in headless Chromium, against a real platform and the reference EPOS
// over WebSocket: a product's failing call found in the call log and opened (params, the EPOS's
// error), the charts over the call statistics, a body cut to the log's limit shown as its excerpt, an event delivered and resent from the Deliveries
// page, a failing EPOS paused and resumed (its dead letter replayed) and paused by hand, and an EPOS
// error message carrying markup shown as text; another account sees none of it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startE2E, until, type E2E } from '../e2e/setup.ts';
import { api } from '../helpers/platform.ts';
import { launch, newPage, screenshot, signInWithKey } from './browser.ts';

const XSS = '<img src=x onerror=window.__xss=1>';

let h: E2E;
let browser: Browser;
before(async () => {
  h = await startE2E('ws', {
    // Small limits so a failing EPOS is paused in well under a second: two attempts 50 ms apart make
    // a dead letter, and one dead letter pauses the tenant.
    // Bodies cut at 1,000 characters, so a page of orders is logged as an excerpt.
    platform: { eventMaxAttempts: 2, eventRetryBaseMs: 50, eventRetryMaxMs: 200, eventPauseAfterDeadLetters: 1, limits: { callLogBodyChars: 1000 } },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

interface Call { id: string; capability: string; status: string; source: string; errorCode?: string }

/** The tenant's calls as the API lists them, once the call log has written `count` of them matching. */
async function loggedCalls(query: string, count: number): Promise<Call[]> {
  let logs: Call[] = [];
  await until(async () => {
    logs = (await api<{ logs: Call[] }>(h.p.url, 'GET', `/epos/logs?${query}`, { key: h.key })).body.logs;
    return logs.length >= count;
  }, `${count} call(s) logged for ${query}`, 30_000);
  return logs;
}

async function raise(id: string, paymentIntentId: string): Promise<void> {
  const res = await api(h.p.url, 'POST', '/epos/data/v1/events', {
    key: h.key, body: { event: 'payment_intent.created', id, data: { paymentIntentId, paymentStatus: 'Created', captureMode: 'Auto' } },
  });
  assert.equal(res.status, 202, res.text);
}

async function deliveryStatus(id: string): Promise<string> {
  return (await api<{ status: string }>(h.p.url, 'GET', `/epos/events/deliveries/${id}`, { key: h.key })).body.status;
}

test('a vendor finds a failing call in the call log, opens it and sees its params and the EPOS\'s error; the charts show it', async () => {
  const missing = await h.call('GetOrderById', { orderId: 'does-not-exist' });
  assert.equal(missing.status, 404, missing.text);
  const found = await h.call('SearchOrders', {});
  assert.equal(found.status, 200, found.text);
  const [failed] = await loggedCalls('capability=GetOrderById&status=error', 1);
  assert.equal(failed!.source, 'data-api');
  await loggedCalls('capability=SearchOrders', 1);

  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, h.key);
  await page.click('nav.side a[href="#/calls"]');
  await page.locator('[data-testid=call-row]').first().waitFor();

  // The charts: a canvas each, their legends naming the capabilities called.
  const charts = page.locator('[data-testid=chart]');
  await charts.nth(2).locator('canvas').waitFor();
  assert.deepEqual(await charts.evaluateAll((cs) => cs.map((c) => c.getAttribute('data-chart'))), ['rate', 'latency', 'errors']);
  for (const chart of ['rate', 'latency', 'errors']) {
    const legend = await page.textContent(`[data-chart=${chart}] .u-legend`) ?? '';
    assert.match(legend, /GetOrderById/, `${chart}: ${legend}`);
    assert.match(legend, /SearchOrders/, `${chart}: ${legend}`);
  }
  assert.match(await page.textContent('[data-chart=latency] .u-legend') ?? '', /GetOrderById p50.*GetOrderById p99/s);
  // The charts follow the window's width: narrower, then back.
  const canvasWidth = async () => (await page.locator('[data-chart=rate] canvas').boundingBox())!.width;
  const wide = await canvasWidth();
  await page.setViewportSize({ width: 900, height: 800 });
  await page.waitForFunction((w) => document.querySelector('[data-chart=rate] canvas')!.getBoundingClientRect().width < w - 100, wide, { timeout: 5_000 });
  const narrow = await canvasWidth();
  const box = await page.locator('[data-chart=rate]').boundingBox();
  assert.ok(narrow <= box!.width, `the narrowed chart (${narrow} px) fits its box (${box!.width} px)`);
  // The table wider than the window scrolls in a box of its own: its last column can be brought into view.
  const lastColumn = await page.evaluate(() => {
    const table = document.querySelector('[data-testid=call-log]')!;
    const box = table.parentElement!;
    box.scrollLeft = box.scrollWidth;
    return { right: table.querySelector('th:last-child')!.getBoundingClientRect().right, window: window.innerWidth, table: table.getBoundingClientRect().width };
  });
  assert.ok(lastColumn.right <= lastColumn.window, `the id column is out of reach: ${JSON.stringify(lastColumn)}`);
  await screenshot(page, '28-call-log-narrow');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForFunction((w) => document.querySelector('[data-chart=rate] canvas')!.getBoundingClientRect().width === w, wide, { timeout: 5_000 });

  assert.deepEqual(await page.locator('#call-capabilities option').evaluateAll((os) => os.map((o) => o.getAttribute('value')).sort()),
    ['GetOrderById', 'SearchOrders'], 'the capability filter suggests the ones called');

  // Filter to the failing call, open it.
  await page.fill('input[name=capability]', 'GetOrderById');
  await page.fill('input[name=status]', 'error');
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=call-row]')].every((r) => r.getAttribute('data-capability') === 'GetOrderById')
    && document.querySelectorAll('[data-testid=call-row]').length === 1);
  await screenshot(page, '20-call-log');
  await page.click(`[data-testid=call-row][data-id="${failed!.id}"]`);
  await page.waitForSelector('[data-testid=call-error]');
  assert.match(await page.textContent('[data-testid=call-error]') ?? '', /^EPOS_ERROR: .*does-not-exist/);
  assert.match(await page.textContent('[data-testid=call-params]') ?? '', /"orderId": "does-not-exist"/);
  const response = await page.textContent('[data-testid=call-response]') ?? '';
  assert.match(response, /"errorType": "NotFound"/, 'the EPOS\'s own error');
  assert.match(await page.textContent('[data-testid=call]') ?? '', /data-api/);
  assert.equal(page.url().split('#')[1], `/calls/${failed!.id}`);
  await screenshot(page, '21-call-detail');
  assert.deepEqual(errors, []);
});

test('a call whose answer was longer than the log keeps shows the excerpt and says it was cut', async () => {
  const [search] = await loggedCalls('capability=SearchOrders', 1);
  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, h.key);
  await page.goto(`${h.p.url}/console#/calls/${search!.id}`);
  await page.waitForSelector('[data-testid=call-result]');
  assert.match(await page.textContent('main .notice.info') ?? '', /longer than the platform keeps/);
  const result = await page.textContent('[data-testid=call-result]') ?? '';
  assert.match(result, /^\{"data":\[\{"id":"ord_/, 'the JSON\'s first characters as they are, not a quoted string');
  assert.ok(result.endsWith('…') && result.length <= 1001, `cut at the limit: ${result.length}`);
  assert.match(await page.textContent('[data-testid=call-params]') ?? '', /^\{\s*\}$/, 'the short params stay whole');
  await screenshot(page, '27-call-excerpt');
  assert.deepEqual(errors, []);
});

test('an EPOS error message carrying markup is shown as text in the call detail and runs nothing', async () => {
  const res = await h.call('GetOrderById', { orderId: XSS });
  assert.equal(res.status, 404, res.text);
  // Newest first: the second failing GetOrderById is this one.
  const [call] = await loggedCalls('capability=GetOrderById&status=error', 2);
  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, h.key);
  await page.goto(`${h.p.url}/console#/calls/${call!.id}`);
  await page.waitForSelector('[data-testid=call-error]');
  assert.ok((await page.textContent('[data-testid=call-error]'))?.includes(XSS), 'the message shown literally');
  assert.ok((await page.textContent('[data-testid=call-params]'))?.includes(XSS), 'the params shown literally');
  await screenshot(page, '22-call-injection');
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, 'no injected handler ran');
  assert.equal(await page.locator('main img').count(), 0, 'no element was made from the string');
  assert.deepEqual(errors, []);
});

test('an event delivered to the EPOS is resent from the Deliveries page: a second delivered attempt, and the EPOS answered it twice', async () => {
  const id = 'evt-console-resend';
  await raise(id, 'pi_console_resend');
  await until(async () => (await deliveryStatus(id)) === 'delivered', 'the first delivery', 30_000);

  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, h.key);
  await page.click('nav.side a[href="#/deliveries"]');
  const row = page.locator(`[data-testid=delivery][data-id="${id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'delivered');
  assert.match(await row.textContent() ?? '', /payment_intent\.created/);
  await screenshot(page, '23-deliveries');
  await row.click();
  await page.waitForSelector('[data-testid=attempt]');
  assert.equal(await page.locator('[data-testid=attempt]').count(), 1);
  assert.match(await page.textContent('main pre') ?? '', /"paymentIntentId": "pi_console_resend"/, 'the event as the EPOS gets it');

  await page.click('[data-testid=resend]');
  // The page follows the resent event until it is delivered again.
  await page.waitForSelector('[data-testid=attempt] >> nth=1', { timeout: 60_000 });
  await page.waitForSelector('h1 .badge[data-status=delivered]');
  assert.deepEqual(await page.locator('[data-testid=attempt]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome'))), ['delivered', 'delivered']);
  assert.equal(await page.textContent('[data-testid=attempts]'), '1', 'attempts count from the resend');
  assert.match(await page.textContent('main .kv') ?? '', /queued again/);
  await screenshot(page, '24-delivery-resent');

  // The EPOS answered HandleEvent for it twice (the platform's call log of the worker's calls), and
  // handled it once: the reference EPOS keeps event ids.
  const handled = await loggedCalls('capability=HandleEvent:payment_intent.created&status=ok', 2);
  assert.equal(handled.filter((c) => c.source === 'events').length, 2);
  assert.equal((h.ref.db.prepare('SELECT count(*) AS n FROM events WHERE id = ?').get(id) as { n: number }).n, 1);
  assert.deepEqual(errors, []);
});

test('a failing EPOS is paused: the banner, Resume delivers what waited, Replay these… sends the dead letter again, Pause by hand', async () => {
  h.ref.faults.set('HandleEvent:error=UnexpectedError');
  await raise('evt-console-dead', 'pi_console_dead');
  await until(async () => (await deliveryStatus('evt-console-dead')) === 'failed', 'the dead letter', 30_000);
  // The pause is written just after the dead letter: one dead letter pauses (eventPauseAfterDeadLetters: 1).
  await until(async () => (await api<{ paused: unknown }>(h.p.url, 'GET', '/epos/events/deliveries', { key: h.key })).body.paused !== null,
    'the pause', 30_000);
  // Raised while paused: it waits, whatever the EPOS would answer.
  h.ref.faults.clear();
  await raise('evt-console-waits', 'pi_console_waits');

  const { page, errors } = await newPage(browser);
  page.on('dialog', (d) => void d.accept());
  await signInWithKey(page, h.p.url, h.key);
  await page.click('nav.side a[href="#/deliveries"]');
  await page.waitForSelector('[data-testid=paused]');
  assert.match(await page.textContent('[data-testid=paused]') ?? '', /Deliveries are paused/);
  assert.equal(await page.getAttribute('[data-testid=delivery][data-id=evt-console-waits]', 'data-status'), 'pending');
  assert.equal(await page.getAttribute('[data-testid=delivery][data-id=evt-console-dead]', 'data-status'), 'failed');
  assert.match(await page.textContent('[data-testid=delivery][data-id=evt-console-dead]') ?? '', /max-attempts.*EPOS_ERROR/s);
  await screenshot(page, '25-deliveries-paused');

  await page.click('[data-testid=paused] button:has-text("Resume")');
  await page.waitForSelector('.notice.info:has-text("Resumed")');
  await page.waitForSelector('[data-testid=paused]', { state: 'detached' }); // the banner goes with the list's reload
  // The page looks again while something is pending.
  await page.waitForSelector('[data-testid=delivery][data-id=evt-console-waits][data-status=delivered]', { timeout: 60_000 });
  assert.equal(await page.getAttribute('[data-testid=delivery][data-id=evt-console-dead]', 'data-status'), 'failed', 'a dead letter stays dead');

  // Replay these… with no status: the failed and expired ones.
  await page.click('[data-testid=replay]');
  await page.waitForSelector('.notice.info:has-text("1 event(s) queued again")');
  await page.waitForSelector('[data-testid=delivery][data-id=evt-console-dead][data-status=delivered]', { timeout: 60_000 });
  await screenshot(page, '26-deliveries-resumed');

  // Paused by hand, as an operator would before maintenance of the EPOS.
  await page.click('[data-testid=pause]');
  await page.waitForSelector('[data-testid=paused]');
  assert.match(await page.textContent('[data-testid=paused]') ?? '', /paused by hand/);
  assert.ok((await api<{ paused: unknown }>(h.p.url, 'GET', '/epos/events/deliveries', { key: h.key })).body.paused, 'the API says so too');
  assert.deepEqual(errors, []);
});

test('a key of another account sees none of the first tenant\'s calls, statistics or deliveries', async () => {
  const { key } = await h.p.keys.create('activity-other', 'sandbox');
  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, key);
  await page.goto(`${h.p.url}/console#/calls`);
  await page.waitForSelector('[data-testid=call-log]');
  assert.equal(await page.locator('[data-testid=call-row]').count(), 0);
  await page.waitForSelector('[data-testid=charts] p:has-text("No calls in the last hour")');
  assert.equal(await page.locator('[data-testid=chart]').count(), 0);
  await page.goto(`${h.p.url}/console#/calls/${(await loggedCalls('', 1))[0]!.id}`);
  await page.waitForSelector('main .notice.error');
  assert.match(await page.textContent('main .notice.error') ?? '', /NOT_FOUND/, 'another tenant\'s call reads as unknown');
  await page.goto(`${h.p.url}/console#/deliveries`);
  await page.waitForSelector('[data-testid=deliveries]');
  assert.equal(await page.locator('[data-testid=delivery]').count(), 0);
  assert.equal(await page.locator('[data-testid=paused]').count(), 0, 'the first tenant\'s pause is its own');
  assert.deepEqual(errors, []);
});
