import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { shot } from '../support/admin-pages';
import { catalogueCsv, catalogueRows, itemNo } from '../support/catalogue';
import { startDbuAdmin, type DbuAdmin } from '../support/dbu-admin';

jest.setTimeout(240_000);

/** Rows the import must reject, each for another reason. */
const BAD_ROWS = [
  'BAD-TITLE;;;Funko;Marvel;Statuen;10,00;20,00;01.02.2026;0,5;;Ohne Titel',
  'BAD-PRICE;;Preis kaputt;Funko;Marvel;Statuen;zwölf;20,00;01.02.2026;0,5;;Preis ist kein Betrag',
  'BAD-DATE;;Datum kaputt;Funko;Marvel;Statuen;10,00;20,00;31.02.2026;0,5;;Kein Datum',
];

describe('DBU imports in the admin (headless Chromium, dbu-web and dbu-worker)', () => {
  let admin: DbuAdmin;

  /** Uploads a file as a dry run through the page and waits for its finished run there. */
  async function dryRunInPage(page: Page, name: string, content: Buffer): Promise<string> {
    await page.goto(admin.url('/imports/create'));
    await page.locator('#import-file').setInputFiles({ name, mimeType: 'text/csv', buffer: content });
    expect(await page.getByLabel('Dry run: show the diff, change nothing').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Upload' }).click();
    // Live progress first, then the finished run.
    await page.locator('[data-testid=import-run][data-status=succeeded]').waitFor({ timeout: 60_000 });
    return new URL(page.url()).hash.match(/#\/imports\/([0-9a-f-]{36})\/show/)![1];
  }

  beforeAll(async () => {
    admin = await startDbuAdmin('admin_imports_dbu');
    // The catalogue before the review: the first ten products of the generator.
    const seeded = await admin.importThroughApi('seed.csv', catalogueCsv(catalogueRows(0, 10)));
    expect(seeded).toMatchObject({ status: 'succeeded', counts: { new: 10 } });
  });

  afterAll(() => admin?.close());

  afterEach(() => {
    expect(admin.browser.problems.splice(0)).toEqual([]);
  });

  it('reviews a dry run with rejected rows, applies it and opens a product it wrote', async () => {
    const page = await admin.open('/imports');
    await page.locator('#main-content').waitFor();

    // Rows 0-4 as they are, 5-9 retitled, 10-29 new, and three bad rows.
    const review = catalogueCsv([...catalogueRows(0, 30, (i) => (i >= 5 && i < 10 ? ' Neuauflage' : '')), ...BAD_ROWS]);
    const dryRunId = await dryRunInPage(page, 'katalog-review.csv', review);
    await page
      .locator('[data-testid=import-counts]', { hasText: '20 new, 5 changed, 5 unchanged, 3 rejected' })
      .waitFor();
    await page.locator('[data-testid=import-diff] td', { hasText: 'Neuauflage' }).first().waitFor();
    const reasons = await page.locator('[data-testid=rejected-rows] tbody tr').allInnerTexts();
    // Rows 32-34 of the file (the header is row 1), each with the column and why.
    expect(reasons.map((r) => r.replace(/\s+/g, ' '))).toEqual([
      '32 Bezeichnung: title is missing',
      expect.stringMatching(/^33 EK-Preis: is not a number/),
      '34 Erscheinungsdatum: is not a calendar date',
    ]);
    // Nothing is written by a dry run.
    expect((await admin.api(`/api/products/${itemNo(12)}/`)).status).toBe(404);
    await shot(page, 'dbu-import-review', { fullPage: true });

    // The rejected rows as CSV: the source layout with the reasons.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download rejected rows (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`import-${dryRunId}-errors.csv`);
    const rejected = readFileSync(await download.path(), 'utf8');
    const lines = rejected.trim().split(/\r?\n/);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('Artikelnummer');
    for (const item of ['BAD-TITLE', 'BAD-PRICE', 'BAD-DATE']) {
      expect(lines.some((line) => line.includes(item))).toBe(true);
    }
    expect(lines.find((line) => line.includes('BAD-PRICE'))).toContain('zwölf');

    // Apply, after a confirmation.
    await page.getByRole('button', { name: 'Apply this diff' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('20 new and 5 changed products').waitFor();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => !url.hash.includes(dryRunId));
    await page.locator('[data-testid=import-run][data-status=succeeded]').waitFor();
    await page.getByText(`Applies the reviewed dry run ${dryRunId}`).waitFor();
    await page.locator('[data-testid=import-counts]', { hasText: '20 new, 5 changed' }).waitFor();
    await page.locator('[data-testid=import-products] td', { hasText: itemNo(5) }).waitFor();
    expect(await page.locator('[data-testid=import-products] tbody tr').count()).toBe(25);
    await page.getByText('Applied: 20 new, 5 changed').waitFor({ state: 'detached' });
    await shot(page, 'dbu-import-applied', { fullPage: true });
    const appliedId = new URL(page.url()).hash.match(/#\/imports\/([0-9a-f-]{36})\/show/)![1];
    expect(appliedId).not.toBe(dryRunId);
    expect((await admin.api(`/api/imports/${appliedId}/`)).body).toMatchObject({
      source: 'apply',
      dry_run: false,
      counts: { new: 20, changed: 5 },
      details: { reviewed_import_id: dryRunId },
    });

    // A product from the import: its page shows what the import wrote.
    await page.getByRole('link', { name: itemNo(5), exact: true }).click();
    const title = page.locator('input[name=title]');
    await title.waitFor();
    expect(await title.inputValue()).toMatch(/ Neuauflage$/);
    expect((await admin.api(`/api/products/${itemNo(12)}/`)).status).toBe(200);

    // The dry run now names its apply and offers no second one.
    await page.goto(admin.url(`/imports/${dryRunId}/show`));
    await page.locator('[data-testid=applied-by]', { hasText: appliedId }).waitFor();
    expect(await page.getByRole('button', { name: 'Apply this diff' }).count()).toBe(0);
    await page.close();
  });

  it('refuses to apply a dry run when the catalogue changed since the review, and says so', async () => {
    const page = await admin.open('/imports');
    await page.locator('#main-content').waitFor();

    const review = catalogueCsv(catalogueRows(0, 3, () => ' Sonderedition'));
    await dryRunInPage(page, 'katalog-stale.csv', review);
    await page.locator('[data-testid=import-counts]', { hasText: '0 new, 3 changed' }).waitFor();
    // Someone edits a product of that diff after the review.
    const edited = await admin.api(`/api/products/${itemNo(1)}/`, { method: 'PATCH', body: { rrp: '1.00' } });
    expect(edited.status).toBe(200);

    await page.getByRole('button', { name: 'Apply this diff' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    const refused = page.locator('[data-testid=apply-refused][data-code=import_diff_stale]');
    await refused.waitFor();
    const message = await refused.innerText();
    expect(message).toContain('The catalogue changed since this dry run was reviewed');
    expect(message).toContain(itemNo(1));
    expect(message).toContain('run a new dry run');
    expect(await page.getByRole('button', { name: 'Apply this diff' }).isDisabled()).toBe(true);
    await shot(page, 'dbu-import-stale', { fullPage: true });
    // Nothing of the refused diff was written.
    const first = await admin.api(`/api/products/${itemNo(0)}/`);
    expect(first.body.title).not.toMatch(/Sonderedition/);
    await page.close();
  });
});
