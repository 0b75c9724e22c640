import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install -y chromium`); .ci/run installs it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  /** Console errors, CSP violations, failed responses and requests to other origins, per page. */
  problems: string[];
  open(url: string, width?: number): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(allowedOrigins: string[]): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'pjs-admin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const problems: string[] = [];
  return {
    context,
    problems,
    async open(url, width = 1280) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
      page.on('console', (msg) => {
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(msg.text());
      });
      page.on('pageerror', (err) => problems.push(err.message));
      page.on('request', (req) => {
        if (!allowedOrigins.some((o) => req.url().startsWith(o)) && !req.url().startsWith('data:')) {
          problems.push(`external request: ${req.url()}`);
        }
      });
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
