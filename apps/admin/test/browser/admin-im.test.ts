import { ensureAdminBuilt } from '../support/admin-build';
import { logInIfAsked, openAdmin, shot } from '../support/admin-pages';
import { launchBrowser, type Browser } from '../support/browser';
import { startIm, type RunningApp } from '../support/web-apps';

jest.setTimeout(180_000);

/** A release month the analysis reports (it starts at the current month). */
const releaseDate = `${new Date().getUTCFullYear() + 1}-06-15`;

describe("IM's admin pages in headless Chromium: orders, DBU sync, analysis", () => {
  let im: RunningApp;
  let browser: Browser;
  const open = (hash: string) => openAdmin(browser, im, hash);

  beforeAll(async () => {
    ensureAdminBuilt();
    im = await startIm('admin_browser_im_pages');
    browser = await launchBrowser([im.baseUrl]);
    const receive = async (order: object) => {
      const res = await fetch(`${im.baseUrl}/api/receive/`, {
        method: 'POST',
        headers: { authorization: `Token ${im.world.user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(order),
      });
      expect(res.status).toBe(201);
    };
    await receive({
      order_number: 'PO-2026-0815',
      items: [
        { item_no: 'IMP-1', title: 'Boba Fett Bust', price: '1250.00', quantity: 3, uom: 'stk' },
        { item_no: 'IMP-2', title: 'Darth Vader Helmet', price: '899.90', quantity: 2, discount: '10%', uom: 'stk' },
      ],
    });
    await receive({
      order_number: 'PO-2026-0816',
      items: [{ item_no: 'IMP-3', title: 'Grogu Plush', price: '24.99', quantity: 12, uom: 'stk' }],
    });
    // What im-worker's sync writes for one item: its DBU details with a release date.
    await im.world.dataSource.query(
      `INSERT INTO item_details (item_no, title, release_date, gpsr_complete) VALUES ('IMP-1', 'Boba Fett Bust', $1, true)`,
      [releaseDate],
    );
  });

  afterAll(async () => {
    await browser?.close();
    await im?.close();
  });

  afterEach(() => {
    expect(browser.problems.splice(0)).toEqual([]);
  });

  it('lists orders, finds one by its number and shows its lines', async () => {
    const page = await open('/orders');
    await page.getByText('PO-2026-0816').waitFor();
    await page.getByText('PO-2026-0815').waitFor();
    await page.fill('input[name=q]', '0815');
    await page.locator('td', { hasText: 'PO-2026-0816' }).waitFor({ state: 'detached' });
    // 3 × 1,250.00 + 2 × 899.90 − 10 % = 3,750.00 + 1,619.82
    await page.locator('tr', { hasText: 'PO-2026-0815' }).getByText('€5,369.82').waitFor();
    await shot(page, 'im-orders');

    await page.getByText('PO-2026-0815').click();
    const lines = page.locator('[data-testid=order-lines]');
    await lines.locator('tr', { hasText: 'Darth Vader Helmet' }).getByText('€1,619.82').waitFor();
    expect(await lines.locator('tr', { hasText: 'Boba Fett Bust' }).textContent()).toContain('€1,250.00');
    expect(await page.locator('[data-testid=order-summary]').textContent()).toContain('€5,369.82');
    await page.close();
  });

  it('shows the items missing DBU details and queues a sync with "Sync now"', async () => {
    const page = await open('/sync');
    await page.locator('[data-testid=sync-missing]', { hasText: 'Items missing DBU details: 2 of 3' }).waitFor();
    const missing = page.locator('[data-testid=sync-missing-items]');
    await missing.getByText('IMP-2').waitFor();
    await missing.getByText('IMP-3').waitFor();
    expect(await missing.getByText('IMP-1').count()).toBe(0);
    expect(await page.locator('[data-testid=sync-last-signal]').textContent()).toContain('none');

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText(/^Sync queued \(\S+\)$/).waitFor();
    // No im-worker runs here: the request waits in the outbox / queue.
    await page.locator('[data-testid=sync-last-signal]', { hasText: 'waiting for im-worker' }).waitFor();
    const outbox = await im.world.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM outbox_messages WHERE type = 'im.sync.requested'`,
    );
    expect(outbox[0].n).toBe(1);
    await shot(page, 'im-sync');
    await page.close();
  });

  it('redirects /analysis/ to the analysis page, amounts with thousands separators and the euro', async () => {
    const res = await fetch(`${im.baseUrl}/analysis/`, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([302, '/admin/#/analysis']);

    const page = await browser.open(`${im.baseUrl}/analysis/`);
    await logInIfAsked(page, im.world.admin.username, im.world.admin.password);
    await page.waitForURL(/\/admin\/#\/analysis$/);
    // The one line with a release date: 3 × 1,250.00 (the others have no DBU details yet).
    await page.locator('[data-testid=analysis-total]', { hasText: '€3,750.00' }).waitFor();
    const month = releaseDate.slice(0, 7);
    const row = page.locator('[data-testid=analysis-months] tr', { hasText: month });
    expect(await row.textContent()).toContain('€3,750.00');
    expect(await page.getByText(/without a release date/).textContent()).toContain('€1,919.70');
    await shot(page, 'im-analysis');
    await page.close();
  });
});
