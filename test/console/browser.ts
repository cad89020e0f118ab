// The console in a real browser: headless Chromium (playwright-core, the system's /usr/bin/chromium)
// against a real platform with the reference EPOS connected (test/e2e/setup.ts). Screenshots go to
// test-artifacts/console/ (gitignored) for a person to look at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../helpers/cli.ts';

export const CHROMIUM = process.env.EPOSGATE_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
}

/** A fresh tab at 1280×800 that fails the test on any script error the page throws. */
export async function newPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Generous: the machine running the suite may be busy; every wait is for a selector, not a time.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Signs in on the sign-in form with an API key. */
export async function signInWithKey(page: Page, base: string, key: string, softwareHouseId?: string): Promise<void> {
  await page.goto(`${base}/console`);
  await page.fill('input[name=apiKey]', key);
  if (softwareHouseId !== undefined) await page.fill('input[name=softwareHouseId]', softwareHouseId);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav.side');
}
