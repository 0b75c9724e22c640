import type { Page } from 'playwright-core';
import { waitFor } from '@pjs/testing';
import { shot } from '../support/admin-pages';
import { catalogueCsv, catalogueRows, itemNo } from '../support/catalogue';
import { startDbuAdmin, type DbuAdmin } from '../support/dbu-admin';

jest.setTimeout(300_000);

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

describe('DBU GPSR page and product list in the admin (headless Chromium, dbu-web and dbu-worker)', () => {
  let admin: DbuAdmin;
  const seed = catalogueRows(0, 30);

  /** The item numbers (or titles) of a product list page as the API orders it. */
  async function apiPage(ordering: string, cursor = '') {
    const { body } = await admin.api(
      `/api/products/?cursor=${encodeURIComponent(cursor)}&page_size=25&ordering=${ordering}`,
    );
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
    admin = await startDbuAdmin('admin_gpsr_dbu');
    const seeded = await admin.importThroughApi('seed.csv', catalogueCsv(seed));
    expect(seeded).toMatchObject({ status: 'succeeded', counts: { new: 30 } });
  });

  afterAll(() => admin?.close());

  afterEach(() => {
    expect(admin.browser.problems.splice(0)).toEqual([]);
  });

  it('uploads a GPSR file with a bad row, shows the result and the completeness numbers change', async () => {
    const funko = seed.filter((line) => maker(line) === 'Funko').length;
    expect(funko).toBeGreaterThan(0);
    const page = await admin.open('/gpsr');

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
    await shot(page, 'dbu-gpsr', { fullPage: true });

    // Sent again (a double click, a lost answer): the same Idempotency-Key replays the answer, so
    // no second run is queued (a new key would be refused with 409, the file was normalised).
    const [again] = await Promise.all([upload(page), page.getByRole('button', { name: 'Upload' }).click()]);
    expect(again.status()).toBe(202);
    const key = await uploaded.request().headerValue('idempotency-key');
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await again.request().headerValue('idempotency-key')).toBe(key);
    expect(((await again.json()) as { id: string }).id).toBe(((await uploaded.json()) as { id: string }).id);
    await page.locator('[data-testid=gpsr-result][data-status=succeeded]').waitFor();
    const runs = (await admin.api('/api/imports/?page_size=100')).body.results as { kind: string }[];
    expect(runs.filter((r) => r.kind === 'gpsr')).toHaveLength(1);
    expect(await page.locator('.MuiSnackbarContent-message').count()).toBe(0);

    // The API agrees: a Funko product is complete, a Hasbro one (its row was rejected) is not.
    const funkoItem = itemNo(seed.findIndex((l) => maker(l) === 'Funko'));
    expect((await admin.api(`/api/products/${funkoItem}/`)).body).toMatchObject({
      gpsr: { complete: true, missing: [] },
    });
    await page.close();
  });

  it('sorts the product list by title and by updated, pages by cursor and says "about N" past 1000', async () => {
    // Past the exact-count threshold (1000 in product.repository.ts): the count becomes the estimate.
    expect(await admin.importThroughApi('more.csv', catalogueCsv(catalogueRows(30, 1230)))).toMatchObject({
      status: 'succeeded',
      counts: { new: 1200 },
    });
    // The planner's estimate comes from the statistics: gather them as autovacuum would.
    await admin.dbu.world.dataSource.query('ANALYZE products');
    const first = await admin.api('/api/products/?cursor=&page_size=25');
    expect(first.body.count_is_estimate).toBe(true);

    const page = await admin.open('/products');
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
    await shot(page, 'dbu-products-sorted', { fullPage: true });

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
