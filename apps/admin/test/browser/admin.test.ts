import { ADMIN_CSP } from '@pjs/admin-host';
import { ensureAdminBuilt } from '../support/admin-build';
import { logIn, openAdmin, shot } from '../support/admin-pages';
import { launchBrowser, type Browser } from '../support/browser';
import { startDbu, startIm, type RunningApp } from '../support/web-apps';

jest.setTimeout(180_000);

async function api(
  app: RunningApp,
  path: string,
  init: { method?: string; token: string; body?: unknown; headers?: Record<string, string> },
) {
  const res = await fetch(`${app.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Token ${init.token}`, 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
}

describe('the admin in headless Chromium', () => {
  let dbu: RunningApp;
  let im: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    ensureAdminBuilt();
    [dbu, im] = await Promise.all([startDbu('admin_browser_dbu'), startIm('admin_browser_im')]);
    browser = await launchBrowser([dbu.baseUrl, im.baseUrl]);
  });

  afterAll(async () => {
    await browser?.close();
    await dbu?.close();
    await im?.close();
  });

  afterEach(() => {
    expect(browser.problems.splice(0)).toEqual([]);
  });

  it('serves the page with its CSP', async () => {
    const res = await fetch(`${dbu.baseUrl}/admin/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(ADMIN_CSP);
    expect(await res.text()).toContain('data-service="dbu"');
  });

  it('logs staff in, edits a product and shows the change in its history', async () => {
    const admin = dbu.world.admin;
    const created = await api(dbu, '/api/products/', {
      method: 'POST',
      token: admin.token,
      body: { item_no: 'ADM-1', title: 'Yoda Statue', rrp: '199.00', license: 'Star Wars', category: null },
    });
    expect(created.status).toBe(201);

    const page = await browser.open(`${dbu.baseUrl}/admin/`);
    await logIn(page, admin.username, admin.password);
    await page.getByText('Yoda Statue').waitFor();
    await shot(page, 'dbu-products');

    await page.getByText('Yoda Statue').click();
    await page.locator('input[name=rrp]').waitFor();
    // The form resets to the record once it has loaded: typing before that is lost (slow machines).
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name=rrp]')?.value === '199.00');
    await page.fill('input[name=rrp]', 'not money');
    await page.click('button[type=submit]');
    // The API's own message appears under the field it names.
    await page.locator('.ra-input-rrp .Mui-error', { hasText: 'must be an amount' }).waitFor();
    await page.fill('input[name=rrp]', '149.00');
    await page.click('button[type=submit]');
    // Saved once the list is back (the edit page shows the name too, in its history table).
    await page.waitForURL(/\/admin\/#\/products(\?.*)?$/);
    await page.getByText('Yoda Statue').first().click();
    await page.locator('[data-testid=history] td', { hasText: '149.00' }).first().waitFor();
    await shot(page, 'dbu-product-history');
    await page.close();
  });

  it('hands out a token once, revokes it, and the API refuses it afterwards', async () => {
    const admin = dbu.world.admin;
    const page = await openAdmin(browser, dbu, '/tokens/create');
    await page.locator('input[name=user]').waitFor();
    await page.fill('input[name=user]', admin.username);
    await page.fill('input[name=name]', 'browser test');
    await page.fill('input[name=scopes]', 'catalogue:read');
    await page.click('button[type=submit]');
    const secret = (await page.locator('[data-testid=token-secret]').textContent())!.trim();
    expect(secret).toMatch(/^pjs_/);
    expect((await api(dbu, '/api/products/', { token: secret })).status).toBe(200);
    await shot(page, 'dbu-token-secret');
    await page.getByRole('button', { name: 'Done' }).click();

    const row = page.locator('tr', { hasText: 'browser test' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText(/^Token pjs_\S+ revoked$/).waitFor();
    expect((await api(dbu, '/api/products/', { token: secret })).status).toBe(401);
    await page.close();
  });

  it('shows the audit log of what staff did', async () => {
    const page = await openAdmin(browser, dbu, '/audit');
    await page.locator('td', { hasText: 'token.revoke' }).first().waitFor();
    await shot(page, 'dbu-audit');
    await page.close();
  });

  it('reduces stock in IM with a reason and shows the ledger line', async () => {
    const admin = im.world.admin;
    const received = await api(im, '/api/receive/', {
      method: 'POST',
      token: im.world.user.token,
      body: {
        order_number: 'ORD-ADMIN-1',
        items: [{ item_no: 'IM-ADM-1', title: 'Boba Fett Bust', price: '1250.00', quantity: 3, uom: 'stk' }],
      },
    });
    expect(received.status).toBe(201);

    const page = await browser.open(`${im.baseUrl}/admin/`);
    await logIn(page, admin.username, admin.password);
    await page.locator('[data-testid=inventory-totals]', { hasText: '€3,750.00' }).waitFor();
    await shot(page, 'im-inventory');
    await page.getByText('Boba Fett Bust').click();
    await page.locator('[data-testid=ledger] td', { hasText: 'receive' }).waitFor();
    await page.fill('#stock-amount', '2');
    await page.fill('#stock-reason', 'broken in transit');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('[data-testid=ledger] td', { hasText: 'broken in transit' }).waitFor();
    expect(await page.locator('[data-testid=item-quantity]').textContent()).toContain('1');
    await shot(page, 'im-item-ledger');

    // The payments analysis is a page of the same admin, same session, amounts in euros.
    await page.getByRole('menuitem', { name: 'Upcoming payments' }).click();
    await page.locator('[data-testid=analysis-total]', { hasText: '€' }).waitFor();
    await page.close();
  });

  it('refuses a non-staff account', async () => {
    const { user } = dbu.world;
    const page = await browser.open(`${dbu.baseUrl}/admin/`);
    await logIn(page, user.username, user.password);
    await page.getByText('not a staff').waitFor();
    expect(await page.locator('input[name=username]').isVisible()).toBe(true);
    // The API refuses it too: account administration needs the admin scope.
    expect((await api(dbu, '/api/admin/users/', { token: user.token })).status).toBe(403);
    await page.close();
  });

  it('works at 390 px wide', async () => {
    await api(dbu, '/api/products/', {
      method: 'POST',
      token: dbu.world.admin.token,
      body: { item_no: 'ADM-390', title: 'Mandalorian Helmet', rrp: '1299.00' },
    });
    const page = await openAdmin(browser, dbu, '/products', 390);
    await page.getByText('Mandalorian Helmet').waitFor();
    await shot(page, 'dbu-products-390');
    await page.close();
  });
});

describe('the admin from an address not in ADMIN_ALLOWED_IPS', () => {
  let dbu: RunningApp;
  beforeAll(async () => {
    dbu = await startDbu('admin_browser_ip', { ADMIN_ALLOWED_IPS: '192.0.2.0/24' });
  });
  afterAll(() => dbu?.close());

  it('is refused at the page, its assets and the login', async () => {
    for (const path of ['/admin/', '/admin/assets/index.js']) {
      const res = await fetch(`${dbu.baseUrl}${path}`);
      expect([path, res.status]).toEqual([path, 403]);
    }
    const login = await fetch(`${dbu.baseUrl}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: dbu.world.admin.username, password: dbu.world.admin.password }),
    });
    expect(login.status).toBe(403);
  });
});
