import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Browser } from './browser';
import type { RunningApp } from './web-apps';

/**
 * Screenshots of what the tests saw. They replace docs/admin.md's pictures only when asked
 * (`UPDATE_DOC_SCREENSHOTS=1`): an ordinary test run leaves the checkout as it found it.
 */
const SHOTS = process.env.UPDATE_DOC_SCREENSHOTS
  ? join(__dirname, '..', '..', '..', '..', 'docs', 'admin')
  : join(tmpdir(), 'pjs-admin-screenshots');
mkdirSync(SHOTS, { recursive: true });

export const shot = (page: Page, name: string, options: { fullPage?: boolean } = {}) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), ...options });

export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('input[name=username]').waitFor();
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** A page opened on a deep link shows the login first when this browser has no session yet. */
export async function logInIfAsked(page: Page, username: string, password: string): Promise<void> {
  const form = page.locator('input[name=username]');
  await page.locator('input[name=username], #main-content').first().waitFor();
  if (await form.isVisible()) await logIn(page, username, password);
}

/** Opens `hash` (e.g. `/orders`) of the app's admin as its staff user, logging in when asked. */
export async function openAdmin(browser: Browser, app: RunningApp, hash: string, width?: number): Promise<Page> {
  const page = await browser.open(`${app.baseUrl}/admin/#${hash}`, width);
  await logInIfAsked(page, app.world.admin.username, app.world.admin.password);
  return page;
}
