import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { seedUpcomingPayments, type UpcomingScenario } from '../factories/analysis.factory';
import { startImWeb, type ImWebHarness } from '../factories/im-web.factory';

/** Debian's chromium (`apt-get install -y chromium`); .ci/run installs it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

jest.setTimeout(90_000);

/** The part of the page's Chart.js instance (window.analysisChart) the test reads. */
interface ChartInstance {
  config: { type: string };
  data: { labels: string[]; datasets: { data: number[] }[] };
  canvas: { width: number; height: number };
  getDatasetMeta(index: number): { data: { height: number }[] };
}

describe('/analysis/ in headless Chromium', () => {
  let h: ImWebHarness;
  let s: UpcomingScenario;
  let profileDir: string;
  let browser: BrowserContext;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
    h = await startImWeb('im_browser');
    s = await seedUpcomingPayments(h);
    profileDir = mkdtempSync(join(tmpdir(), 'im-analysis-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
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
  });

  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await h?.close();
  });

  async function openPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (msg) => {
      // Failed fetches are reported by 'response' below with their URL.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(msg.text());
    });
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`${res.status()} ${new URL(res.url()).pathname}`);
    });
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('request', (req) => {
      if (!req.url().startsWith(h.baseUrl)) problems.push(`external request: ${req.url()}`);
    });
    await page.goto(`${h.baseUrl}/analysis/`);
    return page;
  }

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('#login-form button[type=submit]');
  }

  it('logs in and draws the upcoming payments per release month', async () => {
    const page = await openPage();
    await logIn(page, h.admin.username, h.admin.password);
    await page.waitForSelector('body[data-state=rendered]');

    const chart = await page.evaluate(() => {
      const c = (globalThis as unknown as { analysisChart: ChartInstance }).analysisChart;
      return {
        type: c.config.type,
        labels: c.data.labels,
        values: c.data.datasets[0].data,
        barHeights: c.getDatasetMeta(0).data.map((bar) => Math.round(bar.height)),
        canvas: { width: c.canvas.width, height: c.canvas.height },
      };
    });
    expect(chart.type).toBe('bar');
    expect(chart.labels).toEqual([s.months[0], s.months[1]]);
    expect(chart.values).toEqual([36.25, 28.5]);
    expect(chart.barHeights.every((height) => height > 0)).toBe(true);
    expect(chart.barHeights[0]).toBeGreaterThan(chart.barHeights[1]);
    expect(chart.canvas.width).toBeGreaterThan(0);

    const rows = await page.$$eval('#months tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)),
    );
    expect(rows).toEqual([
      [s.months[0], '36.25', '2', '3'],
      [s.months[1], '28.50', '1', '3'],
    ]);
    expect(await page.textContent('#total-amount')).toBe('64.75');
    expect(await page.textContent('#unscheduled')).toContain('10.00');

    // The token lives in this tab's sessionStorage: a reload draws again without logging in.
    expect(await page.evaluate(() => sessionStorage.getItem('im.analysis.token'))).toMatch(/\S+/);
    await page.reload();
    await page.waitForSelector('body[data-state=rendered]');
    expect(await page.isHidden('#login')).toBe(true);

    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.evaluate(() => sessionStorage.getItem('im.analysis.token'))).toBeNull();
    await page.close();
    expect(problems).toEqual([]);
  });

  it('refuses a non-admin account and wrong passwords', async () => {
    const page = await openPage();
    await logIn(page, h.user.username, h.user.password);
    await page.waitForFunction(() => document.getElementById('message')?.textContent?.includes('admin account'));
    expect(await page.isHidden('#report')).toBe(true);

    await logIn(page, h.admin.username, 'wrong password');
    await page.waitForFunction(() => document.getElementById('message')?.textContent?.includes('Wrong username'));
    expect(await page.evaluate(() => sessionStorage.getItem('im.analysis.token'))).toBeNull();
    await page.close();
    expect(problems.splice(0)).toEqual(['403 /api/analysis/upcoming-payments/', '400 /api/token/']);
  });
});
