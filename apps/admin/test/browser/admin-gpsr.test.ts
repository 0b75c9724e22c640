import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CATALOGUE_HEADER, catalogueLines, waitFor } from '@pjs/testing';
import { ensureAdminBuilt } from '../support/admin-build';
import { launchBrowser, type Browser } from '../support/browser';
import { startDbuWorker, type RunningWorker } from '../support/dbu-worker';
import { startDbu, type RunningApp } from '../support/web-apps';

jest.setTimeout(300_000);

/** Screenshots for docs/admin.md, taken here so they show what the tests saw. */
const SHOTS = join(__dirname, '..', '..', '..', '..', 'docs', 'admin');
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** Rows `from`..`to` of the repository's catalogue generator, without image URLs (the worker would fetch them). */
function rows(from: number, to: number): string[] {
  const out: string[] = [];
  let i = 0;
  for (const line of catalogueLines(to)) {
    if (i >= from) {
      const cells = line.split(';');
      cells[10] = '';
      out.push(cells.join(';'));
    }
    i += 1;
  }
  return out;
}
const csv = (lines: string[]) => Buffer.from(`${[CATALOGUE_HEADER, ...lines].join('\n')}\n`, 'utf8');
const maker = (line: string) => line.split(';')[3];

/** Full GPSR data for Funko (a German address and an e-mail) and a Hasbro row with a broken e-mail. */
const GPSR_FILE = Buffer.from(
  [
    'Hersteller;Straße;PLZ;Ort;Land;E-Mail',
    'Funko;Musterstraße 1;10115;Berlin;Deutschland;info@funko.example',
    'Hasbro;Weg 2;12345;Stadt;DE;keine-mail',
  ].join('\r\n'),
  'utf8',
);

async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('input[name=username]').waitFor();
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** A page opened on a deep link shows the login first when this browser has no session yet. */
async function logInIfAsked(page: Page, username: string, password: string): Promise<void> {
  const form = page.locator('input[name=username]');
  await page.locator('input[name=username], #main-content').first().waitFor();
  if (await form.isVisible()) await logIn(page, username, password);
}

describe('DBU GPSR page and product list in the admin (headless Chromium, dbu-web and dbu-worker)', () => {
  let dbu: RunningApp;
  let worker: RunningWorker;
  let browser: Browser;
  let mediaDir: string;
  const seed = rows(0, 30);
  const token = () => dbu.world.admin.token;

  const api = async (path: string) => {
    const res = await fetch(`${dbu.baseUrl}${path}`, { headers: { authorization: `Token ${token()}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** Uploads a catalogue through the API and waits until dbu-worker has run it. */
  async function importThroughApi(name: string, content: Buffer): Promise<Record<string, unknown>> {
    const form = new FormData();
    form.set('dry_run', 'false');
    form.set('file', new Blob([new Uint8Array(content)], { type: 'text/csv' }), name);
    const res = await fetch(`${dbu.baseUrl}/api/imports/`, {
      method: 'POST',
      headers: { authorization: `Token ${token()}` },
      body: form,
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    let run: Record<string, unknown> = {};
    await waitFor(async () => {
      run = (await api(`/api/imports/${id}/`)).body;
      return !['queued', 'running'].includes(run.status as string);
    }, 120_000);
    return run;
  }

  /** The item numbers (or titles) of a product list page as the API orders it. */
  async function apiPage(ordering: string, cursor = '') {
    const { body } = await api(`/api/products/?cursor=${encodeURIComponent(cursor)}&page_size=25&ordering=${ordering}`);
    const results = body.results as { item_no: string; title: string }[];
    return {
      items: results.map((p) => p.item_no),
      titles: results.map((p) => p.title),
      next: body.next_cursor as string,
    };
  }

  /** The answer to the page's next GPSR upload. */
  const upload = (page: Page) =>
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.startsWith('/api/gpsr'));

  const column = (page: Page, source: string) =>
    page.locator(`#main-content tbody td.column-${source}`).allInnerTexts();

  /** Waits until the list shows `expected` as its first rows' `source` column. */
  async function listShows(page: Page, source: string, expected: string[]): Promise<void> {
    await waitFor(async () => JSON.stringify(await column(page, source)) === JSON.stringify(expected), 30_000);
  }

  beforeAll(async () => {
    ensureAdminBuilt();
    mediaDir = mkdtempSync(join(tmpdir(), 'pjs-admin-media-'));
    dbu = await startDbu('admin_gpsr_dbu', { MEDIA_DIR: mediaDir });
    worker = await startDbuWorker(dbu, { MEDIA_DIR: mediaDir });
    browser = await launchBrowser([dbu.baseUrl]);
    expect(await importThroughApi('seed.csv', csv(seed))).toMatchObject({ status: 'succeeded', counts: { new: 30 } });
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await dbu?.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(browser.problems.splice(0)).toEqual([]);
  });

  it('uploads a GPSR file with a bad row, shows the result and the completeness numbers change', async () => {
    const { admin } = dbu.world;
    const funko = seed.filter((line) => maker(line) === 'Funko').length;
    expect(funko).toBeGreaterThan(0);
    const page = await browser.open(`${dbu.baseUrl}/admin/#/gpsr`);
    await logInIfAsked(page, admin.username, admin.password);

    // Before: no manufacturer has GPSR data, so every product misses it.
    const numbers = page.locator('[data-testid=gpsr-completeness]');
    await page.locator('[data-testid=gpsr-completeness][data-complete="0"][data-missing="30"]').waitFor();
    expect(await numbers.innerText()).toBe('0 products with complete GPSR data, 30 missing some');
    await page.locator('[data-testid=gpsr-missing] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid=gpsr-missing] tbody tr').count()).toBe(10);
    const pager = page.locator('[data-testid=gpsr-missing] .MuiTablePagination-displayedRows');
    await pager.filter({ hasText: /^1[–-]10 of 30$/ }).waitFor();

    await page.locator('#gpsr-file').setInputFiles({ name: 'gpsr.csv', mimeType: 'text/csv', buffer: GPSR_FILE });
    const [uploaded] = await Promise.all([upload(page), page.getByRole('button', { name: 'Upload' }).click()]);
    expect(uploaded.status()).toBe(202);
    await page.locator('[data-testid=gpsr-result][data-status=succeeded]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=gpsr-counts]').innerText()).toBe(
      '1 manufacturer in the file: 0 new, 1 updated, 0 unchanged; 1 row rejected',
    );
    expect(await page.locator('[data-testid=gpsr-links]').innerText()).toContain(
      `${30 - funko} products still missing GPSR data`,
    );
    const rejected = await page.locator('[data-testid=gpsr-rejected-rows] tbody tr').allInnerTexts();
    // Row 3 of the file (the header is row 1): the column and why.
    expect(rejected.map((r) => r.replace(/\s+/g, ' '))).toEqual(['3 E-Mail: is not an e-mail address']);

    // After: Funko's products are complete; the list of missing ones is read again.
    await page
      .locator(`[data-testid=gpsr-completeness][data-complete="${funko}"][data-missing="${30 - funko}"]`)
      .waitFor();
    await pager.filter({ hasText: new RegExp(`^1[–-]10 of ${30 - funko}$`) }).waitFor();
    const makers = await page.locator('[data-testid=gpsr-missing] tbody td.column-manufacturer_name').allInnerTexts();
    expect(makers).not.toContain('Funko');
    await shot(page, 'dbu-gpsr');

    // Sent again (a double click, a lost answer): the same Idempotency-Key replays the answer, so
    // no second run is queued (a new key would be refused with 409, the file was normalised).
    const [again] = await Promise.all([upload(page), page.getByRole('button', { name: 'Upload' }).click()]);
    expect(again.status()).toBe(202);
    const key = await uploaded.request().headerValue('idempotency-key');
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await again.request().headerValue('idempotency-key')).toBe(key);
    expect(((await again.json()) as { id: string }).id).toBe(((await uploaded.json()) as { id: string }).id);
    await page.locator('[data-testid=gpsr-result][data-status=succeeded]').waitFor();
    const runs = (await api('/api/imports/?page_size=100')).body.results as { kind: string }[];
    expect(runs.filter((r) => r.kind === 'gpsr')).toHaveLength(1);
    expect(await page.locator('.MuiSnackbarContent-message').count()).toBe(0);

    // The API agrees: a Funko product is complete, a Hasbro one (its row was rejected) is not.
    const funkoItem = `PJS-${String(seed.findIndex((l) => maker(l) === 'Funko')).padStart(7, '0')}`;
    expect((await api(`/api/products/${funkoItem}/`)).body).toMatchObject({ gpsr: { complete: true, missing: [] } });
    await page.close();
  });

  it('sorts the product list by title and by updated, pages by cursor and says "about N" past 1000', async () => {
    const { admin } = dbu.world;
    // Past the exact-count threshold (1000 in product.repository.ts): the count becomes the estimate.
    expect(await importThroughApi('more.csv', csv(rows(30, 1230)))).toMatchObject({
      status: 'succeeded',
      counts: { new: 1200 },
    });
    // The planner's estimate comes from the statistics: gather them as autovacuum would.
    await dbu.world.dataSource.query('ANALYZE products');
    const first = await api('/api/products/?cursor=&page_size=25');
    expect(first.body.count_is_estimate).toBe(true);

    const page = await browser.open(`${dbu.baseUrl}/admin/#/products`);
    await logInIfAsked(page, admin.username, admin.password);
    const about = page.locator('[data-testid=estimated-total]');
    await about.waitFor();
    expect(await about.innerText()).toMatch(/^about [\d,]+ products$/);
    expect(Number((await about.innerText()).replace(/\D/g, ''))).toBeGreaterThan(1000);
    await listShows(page, 'item_no', (await apiPage('item_no')).items);

    // By title: a click on the column header, as the API sorts.
    await page.locator('#main-content thead').getByText('Title', { exact: true }).click();
    const byTitle = await apiPage('title');
    await listShows(page, 'title', byTitle.titles);
    expect(page.url()).toContain('title');
    await page.mouse.move(0, 0); // no header tooltip in the picture
    await shot(page, 'dbu-products-sorted');

    // Forward and back with the cursor pager.
    await page.getByRole('button', { name: 'Go to next page' }).click();
    const second = await apiPage('title', byTitle.next);
    await listShows(page, 'title', second.titles);
    expect(second.titles[0] >= byTitle.titles[24]).toBe(true);
    await page.getByRole('button', { name: 'Go to previous page' }).click();
    await listShows(page, 'title', byTitle.titles);

    // By updated: ascending on the first click, newest first on the second.
    await page.locator('#main-content thead').getByText('Updated at', { exact: true }).click();
    await listShows(page, 'item_no', (await apiPage('updated_at')).items);
    await page.locator('#main-content thead').getByText('Updated at', { exact: true }).click();
    const newest = await apiPage('-updated_at');
    await listShows(page, 'item_no', newest.items);
    // The newest are the second import's products.
    expect(newest.items.every((item) => Number(item.slice(4)) >= 30)).toBe(true);
    await page.close();
  });
});
