import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CATALOGUE_HEADER, catalogueLines, waitFor } from '@pjs/testing';
import { ensureAdminBuilt } from '../support/admin-build';
import { launchBrowser, type Browser } from '../support/browser';
import { startDbuWorker, type RunningWorker } from '../support/dbu-worker';
import { startDbu, type RunningApp } from '../support/web-apps';

jest.setTimeout(240_000);

/** Screenshots for docs/admin.md, taken here so they show what the tests saw. */
const SHOTS = join(__dirname, '..', '..', '..', '..', 'docs', 'admin');
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/**
 * Rows of the repository's catalogue generator (scripts/gen-catalogue.mjs), without image URLs
 * (the worker would fetch them) and with `retitle` appended to the titles of the rows it names.
 */
function rows(from: number, to: number, retitle: (i: number) => string = () => ''): string[] {
  const out: string[] = [];
  let i = 0;
  for (const line of catalogueLines(to)) {
    if (i >= from) {
      // Only the description (last, quoted) may hold `;`: it is joined back as it was.
      const cells = line.split(';');
      cells[2] += retitle(i);
      cells[10] = '';
      out.push(cells.join(';'));
    }
    i += 1;
  }
  return out;
}
const itemNo = (i: number) => `PJS-${String(i).padStart(7, '0')}`;
/** Rows the import must reject, each for another reason. */
const BAD_ROWS = [
  'BAD-TITLE;;;Funko;Marvel;Statuen;10,00;20,00;01.02.2026;0,5;;Ohne Titel',
  'BAD-PRICE;;Preis kaputt;Funko;Marvel;Statuen;zwölf;20,00;01.02.2026;0,5;;Preis ist kein Betrag',
  'BAD-DATE;;Datum kaputt;Funko;Marvel;Statuen;10,00;20,00;31.02.2026;0,5;;Kein Datum',
];
const csv = (lines: string[]) => Buffer.from(`${[CATALOGUE_HEADER, ...lines].join('\n')}\n`, 'utf8');

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

describe('DBU imports in the admin (headless Chromium, dbu-web and dbu-worker)', () => {
  let dbu: RunningApp;
  let worker: RunningWorker;
  let browser: Browser;
  let mediaDir: string;
  const token = () => dbu.world.admin.token;

  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${dbu.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Token ${token()}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
  };

  /** Uploads through the API and waits until dbu-worker has run it. */
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
    }, 60_000);
    return run;
  }

  /** Uploads a file as a dry run through the page and waits for its finished run there. */
  async function dryRunInPage(page: Page, name: string, content: Buffer): Promise<string> {
    await page.goto(`${dbu.baseUrl}/admin/#/imports/create`);
    await page.locator('#import-file').setInputFiles({ name, mimeType: 'text/csv', buffer: content });
    expect(await page.getByLabel('Dry run: show the diff, change nothing').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Upload' }).click();
    // Live progress first, then the finished run.
    await page.locator('[data-testid=import-run][data-status=succeeded]').waitFor({ timeout: 60_000 });
    return new URL(page.url()).hash.match(/#\/imports\/([0-9a-f-]{36})\/show/)![1];
  }

  beforeAll(async () => {
    ensureAdminBuilt();
    mediaDir = mkdtempSync(join(tmpdir(), 'pjs-admin-media-'));
    dbu = await startDbu('admin_imports_dbu', { MEDIA_DIR: mediaDir });
    worker = await startDbuWorker(dbu, { MEDIA_DIR: mediaDir });
    browser = await launchBrowser([dbu.baseUrl]);
    // The catalogue before the review: the first ten products of the generator.
    const seeded = await importThroughApi('seed.csv', csv(rows(0, 10)));
    expect(seeded).toMatchObject({ status: 'succeeded', counts: { new: 10 } });
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

  it('reviews a dry run with rejected rows, applies it and opens a product it wrote', async () => {
    const { admin } = dbu.world;
    const page = await browser.open(`${dbu.baseUrl}/admin/#/imports`);
    await logInIfAsked(page, admin.username, admin.password);
    await page.locator('#main-content').waitFor();

    // Rows 0-4 as they are, 5-9 retitled, 10-29 new, and three bad rows.
    const review = csv([...rows(0, 30, (i) => (i >= 5 && i < 10 ? ' Neuauflage' : '')), ...BAD_ROWS]);
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
    expect((await api(`/api/products/${itemNo(12)}/`)).status).toBe(404);
    await shot(page, 'dbu-import-review');

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
    await shot(page, 'dbu-import-applied');
    const appliedId = new URL(page.url()).hash.match(/#\/imports\/([0-9a-f-]{36})\/show/)![1];
    expect(appliedId).not.toBe(dryRunId);
    expect((await api(`/api/imports/${appliedId}/`)).body).toMatchObject({
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
    expect((await api(`/api/products/${itemNo(12)}/`)).status).toBe(200);

    // The dry run now names its apply and offers no second one.
    await page.goto(`${dbu.baseUrl}/admin/#/imports/${dryRunId}/show`);
    await page.locator('[data-testid=applied-by]', { hasText: appliedId }).waitFor();
    expect(await page.getByRole('button', { name: 'Apply this diff' }).count()).toBe(0);
    await page.close();
  });

  it('refuses to apply a dry run when the catalogue changed since the review, and says so', async () => {
    const { admin } = dbu.world;
    const page = await browser.open(`${dbu.baseUrl}/admin/#/imports`);
    await logInIfAsked(page, admin.username, admin.password);
    await page.locator('#main-content').waitFor();

    const review = csv(rows(0, 3, () => ' Sonderedition'));
    await dryRunInPage(page, 'katalog-stale.csv', review);
    await page.locator('[data-testid=import-counts]', { hasText: '0 new, 3 changed' }).waitFor();
    // Someone edits a product of that diff after the review.
    const edited = await api(`/api/products/${itemNo(1)}/`, { method: 'PATCH', body: { rrp: '1.00' } });
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
    await shot(page, 'dbu-import-stale');
    // Nothing of the refused diff was written.
    const first = await api(`/api/products/${itemNo(0)}/`);
    expect(first.body.title).not.toMatch(/Sonderedition/);
    await page.close();
  });
});
