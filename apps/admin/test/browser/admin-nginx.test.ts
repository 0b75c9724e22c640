import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium, type BrowserContext } from 'playwright-core';
import { ADMIN_CSP } from '@pjs/admin-host';
// The edge's own test harness: our nginx configuration rendered as the image renders it.
import {
  SERVER_NAMES,
  freeNginxPorts,
  renderEdge,
  requestHttps,
  startNginx,
  stopProcess,
  waitForNginx,
  type NginxReply,
  type RenderedEdge,
} from '../../../../infrastructure-stack/test/support/nginx';
import { which } from '../../../../infrastructure-stack/test/support/tools';
import { ensureAdminBuilt } from '../support/admin-build';
import { CHROMIUM } from '../support/browser';
import { startDbu, type RunningApp } from '../support/web-apps';

jest.setTimeout(180_000);

const HOST = SERVER_NAMES.dbu;

/**
 * The admin through the production nginx configuration (TLS, allowlists, headers, the /admin/
 * location's CSP) in front of the real dbu-web: what a person's browser gets in production.
 */
(which('nginx') && which('openssl') ? describe : describe.skip)('the admin through nginx', () => {
  let dbu: RunningApp;
  let rendered: RenderedEdge;
  let nginx: ChildProcess | undefined;
  let port: number;
  let context: BrowserContext;
  let profile: string;

  const https = (path: string, localAddress = '127.0.0.1'): Promise<NginxReply> =>
    requestHttps(rendered.tls, HOST, path, { localAddress });

  beforeAll(async () => {
    ensureAdminBuilt();
    const ports = await freeNginxPorts();
    port = ports.https;
    dbu = await startDbu('admin_nginx', { TRUST_PROXY: '1', PUBLIC_BASE_URL: `https://${HOST}:${port}` });
    rendered = await renderEdge({ is: 'is-web:8000', dbu: new URL(dbu.baseUrl).host, im: 'im-web:8000' }, { ports });
    nginx = startNginx(rendered);
    await waitForNginx(nginx, async () => (await https('/health/')).status === 200, 'nginx');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
    profile = mkdtempSync(join(tmpdir(), 'pjs-admin-nginx-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
        // The test's own self-signed certificate (made by renderNginx).
        '--ignore-certificate-errors',
      ],
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await stopProcess(nginx);
    if (rendered) rmSync(rendered.dir, { recursive: true, force: true });
    await dbu?.close();
  });

  it('answers /admin/ with exactly one CSP, the app’s, and the security headers', async () => {
    const reply = await https('/admin/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-security-policy']).toBe(ADMIN_CSP);
    expect(reply.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(reply.headers['x-frame-options']).toBe('DENY');
    expect(reply.body).toContain('data-service="dbu"');
  });

  it('refuses addresses outside the admin allowlist, in every spelling', async () => {
    for (const path of ['/admin/', '/ADMIN/', '/admin/assets/x.js', '/Admin/login', '/api/admin/users/']) {
      expect([path, (await https(path, '127.0.0.2')).status]).toEqual([path, 403]);
    }
  });

  it('logs staff in and edits a product under the production headers', async () => {
    const { admin } = dbu.world;
    const created = await fetch(`${dbu.baseUrl}/api/products/`, {
      method: 'POST',
      headers: { authorization: `Token ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ item_no: 'NGX-1', title: 'Grogu Plush', rrp: '29.99' }),
    });
    expect(created.status).toBe(201);

    const problems: string[] = [];
    const page = await context.newPage();
    page.on('console', (msg) => {
      // Failed responses are reported below with their URL.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('response', (res) => {
      const what = `${res.status()} ${new URL(res.url()).pathname}`;
      // Before the login the page asks whether a session exists: 401 is that answer.
      if (res.status() >= 400 && what !== '401 /admin/session') problems.push(what);
    });
    await page.goto(`https://${HOST}:${port}/admin/`);
    await page.locator('input[name=username]').waitFor();
    await page.fill('input[name=username]', admin.username);
    await page.fill('input[name=password]', admin.password);
    await page.click('button[type=submit]');
    await page.getByText('Grogu Plush').click();
    await page.locator('input[name=rrp]').waitFor();
    // The form resets to the record once it has loaded: typing before that is lost (slow machines).
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name=rrp]')?.value === '29.99');
    await page.fill('input[name=rrp]', '24.99');
    await page.click('button[type=submit]');
    // Saved once the list is back: the edit page shows the name too (in its history table), and a
    // click there before the save answered would leave the test on a page the redirect replaces.
    await page.waitForURL(/\/admin\/#\/products(\?.*)?$/);
    await page.getByText('Grogu Plush').first().click();
    await page.locator('[data-testid=history] td', { hasText: '24.99' }).first().waitFor();
    await page.close();
    expect(problems).toEqual([]);
  });
});
