// The console's health pages and the operator in headless Chromium, against a real platform (with an
// admin token) and the reference EPOS over WebSocket through the SDK: the connection and its SDK,
// readiness before and after a Pay at Table run, the registration history after a PUT that drops
// a capability and its paging, the operator's tenant search and pages, and a second account seeing
// none of it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startE2E, until, ACCOUNT, type E2E } from '../e2e/setup.ts';
import { api } from '../helpers/platform.ts';
import { ROOT } from '../helpers/cli.ts';
import { launch, newPage, screenshot, signInWithKey } from './browser.ts';

const ADMIN_TOKEN = 'console-admin-token-0123456789abcdef';
const SDK_VERSION = (JSON.parse(readFileSync(join(ROOT, 'packages/sdk/package.json'), 'utf8')) as { version: string }).version;
/** Other tenants for the operator to search among; the EPOS is connected to ACCOUNT only. */
const OTHERS = ['acme-north', 'acme-south', 'zeta-foods'];

let h: E2E;
let browser: Browser;
before(async () => {
  h = await startE2E('ws', { platform: { testerCallTimeoutMs: 5000, adminToken: ADMIN_TOKEN } });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

async function readinessOf(page: Page, product: string): Promise<string | null> {
  const section = page.locator(`[data-testid=readiness-product][data-product="${product}"]`);
  await section.waitFor();
  return section.getAttribute('data-status');
}

test('a vendor sees its EPOS connected (node, SDK, since when) and Pay at Table readiness before and after a tester run', async () => {
  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, h.key);
  await page.goto(`${h.p.url}/console#/connections`);
  const row = page.locator('[data-testid=connection]');
  await row.first().waitFor();
  assert.equal(await row.count(), 1, 'one socket');
  assert.equal(await row.locator('[data-col=node]').textContent(), 'local');
  assert.equal(await row.locator('[data-col=sdk]').textContent(), `@eposgate/sdk ${SDK_VERSION}`);
  const since = await row.locator('[data-col=connectedAt] span').getAttribute('title');
  assert.ok(since && Date.now() - Date.parse(since) < 10 * 60_000 && Date.parse(since) <= Date.now(), `connectedAt is the upgrade time: ${since}`);
  const registered = await page.textContent('.kv') ?? '';
  assert.match(registered, /registered on WebSocket.*SearchOrders/s);
  assert.match(registered, /registered on REST\s*not registered/);

  // Nothing has run the tester yet: what it needs is registered but unproven.
  assert.equal(await readinessOf(page, 'Pay at Table'), 'not tested');
  const pat = page.locator('[data-testid=readiness-product][data-product="Pay at Table"]');
  assert.match(await pat.textContent() ?? '', /RecordOrderPaymentById\s*required\s*yes\s*not tested/);
  await screenshot(page, '10-connections-not-tested');

  const flowId = (await api<string>(h.p.url, 'POST', '/epos-tester-tool/flows', { key: h.key, body: { flow: 'Pay at Table', params: {} } })).body;
  assert.equal(typeof flowId, 'string');
  let status = 'IN_PROGRESS';
  await until(async () => {
    status = (await api(h.p.url, 'GET', `/epos-tester-tool/flows/${flowId}`, { key: h.key })).body.status;
    return status !== 'IN_PROGRESS';
  }, 'the Pay at Table run', 60_000);
  assert.equal(status, 'SUCCESS');

  await page.click('h1 button'); // Refresh
  await page.waitForSelector('[data-testid=readiness-product][data-product="Pay at Table"][data-status=ready]');
  assert.match(await pat.textContent() ?? '', /RecordOrderPaymentById\s*required\s*yes\s*yes, /, 'proven, with when');
  assert.match(await pat.locator('[data-testid=passed]').textContent() ?? '', /Pay at Table/);
  await screenshot(page, '11-connections-ready');
  assert.deepEqual(errors, []);
});

test('the registrations page shows the history, with a capability a re-registration dropped', async () => {
  const current = await api<{ capabilities: { name: string; version: string }[] }[]>(h.p.url, 'GET', '/epos/integrations/ws', { key: h.key });
  const caps = current.body[0]!.capabilities.map(({ name, version }) => ({ name, version }));
  assert.ok(caps.some((c) => c.name === 'ListAreas'), 'the reference EPOS registered ListAreas');
  const put = await api(h.p.url, 'PUT', '/epos/integrations/ws', {
    key: h.key, softwareHouseId: 'history-check', body: { capabilities: caps.filter((c) => c.name !== 'ListAreas') },
  });
  assert.equal(put.status, 200);
  assert.deepEqual(JSON.parse(put.headers.get('eposgate-dropped') ?? 'null'), ['ListAreas']);

  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, h.key);
  await page.goto(`${h.p.url}/console#/registrations`);
  const rows = page.locator('[data-testid=registration-history] [data-testid=change]');
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2, 'the first registration and the change');
  const newest = rows.first();
  assert.equal(await newest.locator('[data-col=dropped]').textContent(), 'ListAreas');
  assert.equal(await newest.locator('[data-col=added]').textContent(), '–');
  assert.match(await newest.textContent() ?? '', /history-check/, 'who made the change');
  assert.match(await rows.nth(1).locator('[data-col=added]').textContent() ?? '', /SearchOrders/, 'the first registration added everything');
  assert.ok(!(await page.textContent('[data-testid=registrations-ws]'))?.includes('ListAreas'), 'no longer registered');
  await screenshot(page, '12-registration-history');
  assert.deepEqual(errors, []);
});

test('the operator signs in with the admin token, finds a tenant by part of its account id and sees that tenant only', async () => {
  for (const account of OTHERS) await h.p.keys.create(account, 'sandbox');
  // acme-south registers over REST, so its pages differ from the EPOS's tenant.
  const { key: southKey } = await h.p.keys.create('acme-south', 'production');
  const south = await api(h.p.url, 'PUT', '/epos/integrations/rest', {
    key: southKey, softwareHouseId: 'south-till',
    body: { capabilities: [{ name: 'GetOrderById', version: 'v1' }], url: 'https://south.example/epos', auth: { authType: 'basic', basic: { username: 'south', password: 'south-secret-1' } } },
  });
  assert.equal(south.status, 200);
  // One call of the EPOS's tenant (whatever its answer, the log records it), written before the
  // picker lists tenants: its row shows a last call, the others none.
  const before = Date.now();
  await api(h.p.url, 'GET', '/epos/data/v1/orders/ord-last-call', { key: h.key });
  await h.p.callLog!.flush();

  const { page, errors } = await newPage(browser);
  await page.goto(`${h.p.url}/console`);
  await page.click('.tabs button:has-text("Operator")');
  // A wrong token stays on the form with the platform's message.
  await page.fill('input[name=adminToken]', 'not-the-token');
  await page.click('button[type=submit]');
  await page.waitForSelector('.notice.error');
  assert.match(await page.textContent('.notice.error') ?? '', /FORBIDDEN/);

  await page.fill('input[name=adminToken]', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.waitForSelector('input[name=tenantSearch]');
  await page.waitForSelector(`[data-testid=tenant][data-tenant="${ACCOUNT}:sandbox"]`);
  assert.equal(await page.locator('[data-testid=tenant]').count(), 5, 'every tenant: the EPOS\'s, three sandboxes and acme-south\'s production');
  const lastCall = (tenant: string) => page.locator(`[data-testid=tenant][data-tenant="${tenant}"] [data-testid=lastCall]`);
  const at = await lastCall(`${ACCOUNT}:sandbox`).locator('span').getAttribute('title');
  assert.ok(at && Date.parse(at) >= before && Date.parse(at) <= Date.now(), `the EPOS's tenant's last call: ${at}`);
  assert.equal((await lastCall('acme-north:sandbox').textContent())?.trim(), '–', 'a tenant with no call shows none');

  await page.fill('input[name=tenantSearch]', 'CME-s');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=tenant]').length === 2);
  assert.deepEqual(await page.locator('[data-testid=tenant]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tenant'))),
    ['acme-south:production', 'acme-south:sandbox'], 'a case-insensitive substring of the account id');
  await screenshot(page, '13-operator-picker');

  await page.locator('[data-testid=tenant][data-tenant="acme-south:production"] button').click();
  await page.waitForSelector('nav.side');
  assert.match(await page.textContent('[data-testid=who]') ?? '', /operator · tenant acme-south:production/);
  await page.goto(`${h.p.url}/console#/connections`);
  await page.waitForSelector('[data-testid=connections]');
  assert.match(await page.textContent('[data-testid=connections]') ?? '', /No EPOS socket is open/);
  assert.match(await page.textContent('.kv') ?? '', /registered on REST\s*https:\/\/south\.example\/epos: GetOrderById/);
  await page.goto(`${h.p.url}/console#/registrations`);
  await page.locator('[data-testid=change]').first().waitFor();
  assert.equal(await page.locator('[data-testid=change]').count(), 1);
  const change = await page.textContent('[data-testid=change]') ?? '';
  assert.match(change, /south\.example.*GetOrderById.*south-till/s);
  assert.ok(!(await page.textContent('main'))?.includes('south-secret'), 'never the password');
  await screenshot(page, '14-operator-registrations');

  // Change tenant → the EPOS's tenant: its socket and history, not acme-south's.
  await page.click('nav.side button:has-text("Change tenant")');
  await page.fill('input[name=tenantSearch]', ACCOUNT.slice(2, 8));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=tenant]').length === 1);
  await page.locator(`[data-testid=tenant][data-tenant="${ACCOUNT}:sandbox"] button`).click();
  await page.goto(`${h.p.url}/console#/connections`);
  await page.locator('[data-testid=connection]').first().waitFor();
  assert.equal(await page.locator('[data-testid=connection]').count(), 1);
  await page.goto(`${h.p.url}/console#/registrations`);
  await page.locator('[data-testid=change]').first().waitFor();
  assert.ok(!(await page.textContent('[data-testid=registration-history]'))?.includes('south'), 'no row of acme-south');
  await screenshot(page, '15-operator-epos-tenant');
  assert.deepEqual(errors, []);
});

test('a key of another account sees none of the first tenant\'s connections, readiness or history', async () => {
  const { key } = await h.p.keys.create('other-account', 'sandbox');
  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, key);
  await page.goto(`${h.p.url}/console#/connections`);
  await page.waitForSelector('[data-testid=connections]');
  assert.equal(await page.locator('[data-testid=connection]').count(), 0);
  assert.match(await page.textContent('[data-testid=connections]') ?? '', /No EPOS socket is open/);
  assert.match(await page.textContent('.kv') ?? '', /registered on WebSocket\s*not registered\s*registered on REST\s*not registered/);
  assert.equal(await readinessOf(page, 'Pay at Table'), 'not applicable', 'nothing registered, and the first tenant\'s run does not count');
  await screenshot(page, '16-other-tenant-connections');

  await page.goto(`${h.p.url}/console#/registrations`);
  await page.waitForSelector('[data-testid=registration-history]');
  assert.equal(await page.locator('[data-testid=change]').count(), 0);
  assert.match(await page.textContent('[data-testid=registration-history]') ?? '', /No registration changes yet/);
  assert.match(await page.textContent('[data-testid=registrations-ws]') ?? '', /Nothing registered on WebSocket/);
  assert.deepEqual(errors, []);
});

test('the registration history pages with the API\'s cursor: Next shows the older changes, Previous goes back', async () => {
  const { key } = await h.p.keys.create('paging-account', 'sandbox');
  // 51 changes: one more than a page (the console asks for 50).
  for (let i = 0; i < 51; i++) {
    const names = i % 2 === 0 ? ['GetOrderById'] : ['GetOrderById', 'SearchOrders'];
    const res = await api(h.p.url, 'PUT', '/epos/integrations/ws', { key, body: { capabilities: names.map((name) => ({ name, version: 'v1' })) } });
    assert.equal(res.status, 200);
  }
  const { page, errors } = await newPage(browser);
  await signInWithKey(page, h.p.url, key);
  await page.goto(`${h.p.url}/console#/registrations`);
  const rows = page.locator('[data-testid=change]');
  await rows.nth(49).waitFor();
  assert.equal(await rows.count(), 50);
  await page.click('.pager button:has-text("Next")');
  await page.waitForSelector('.pager :text("page 2")');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=change]').length === 1);
  assert.equal(await rows.first().locator('[data-col=added]').textContent(), 'GetOrderById', 'the oldest change: the first registration');
  assert.ok(await page.isDisabled('.pager button:has-text("Next")'), 'no page after the last');
  await page.click('.pager button:has-text("Previous")');
  await rows.nth(49).waitFor();
  assert.equal(await rows.count(), 50);
  assert.deepEqual(errors, []);
});
