import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '@pjs/testing';
import { ensureAdminBuilt } from './admin-build';
import { openAdmin } from './admin-pages';
import { launchBrowser, type Browser } from './browser';
import { startDbuWorker, type RunningWorker } from './dbu-worker';
import { startDbu, type RunningApp } from './web-apps';

export interface ApiAnswer {
  status: number;
  /** The JSON answer; empty when the answer is not JSON. */
  body: Record<string, unknown>;
}

export interface DbuAdmin {
  dbu: RunningApp;
  browser: Browser;
  /** The admin page at `hash` (e.g. `/imports/create`), for `page.goto`. */
  url(hash: string): string;
  /** Opens the admin page at `hash` as the staff user, logging in when asked. */
  open(hash: string): Promise<Page>;
  /** A call to dbu-web's API with the staff user's token. */
  api(path: string, init?: { method?: string; body?: unknown }): Promise<ApiAnswer>;
  /** Uploads a catalogue through the API (not the page) and waits until dbu-worker has run it. */
  importThroughApi(name: string, content: Buffer): Promise<Record<string, unknown>>;
  /** Stops the browser, dbu-worker and dbu-web and removes their uploads. */
  close(): Promise<void>;
}

/**
 * The admin as staff use it to import: dbu-web on a fresh database and vhost, a real dbu-worker
 * importing what it queues (both sharing a temporary MEDIA_DIR for the uploads), and a browser
 * that may reach dbu-web only. What started is stopped again when a later step fails.
 */
export async function startDbuAdmin(label: string): Promise<DbuAdmin> {
  ensureAdminBuilt();
  const mediaDir = mkdtempSync(join(tmpdir(), 'pjs-admin-media-'));
  let dbu: RunningApp | undefined;
  let worker: RunningWorker | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await worker?.close();
    await dbu?.close();
    rmSync(mediaDir, { recursive: true, force: true });
  };
  try {
    dbu = await startDbu(label, { MEDIA_DIR: mediaDir });
    worker = await startDbuWorker(dbu, { MEDIA_DIR: mediaDir });
    browser = await launchBrowser([dbu.baseUrl]);
  } catch (e) {
    await close();
    throw e;
  }
  const web = dbu;
  const chromium = browser;
  const token = web.world.admin.token;

  const api = async (path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer> => {
    const res = await fetch(`${web.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };

  const importThroughApi = async (name: string, content: Buffer): Promise<Record<string, unknown>> => {
    const form = new FormData();
    form.set('dry_run', 'false');
    form.set('file', new Blob([new Uint8Array(content)], { type: 'text/csv' }), name);
    const res = await fetch(`${web.baseUrl}/api/imports/`, {
      method: 'POST',
      headers: { authorization: `Token ${token}` },
      body: form,
    });
    if (res.status !== 202) throw new Error(`import upload answered ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    let run: Record<string, unknown> = {};
    // Large enough for the 1,200-row import of the product list test on a slow machine.
    await waitFor(async () => {
      run = (await api(`/api/imports/${id}/`)).body;
      return !['queued', 'running'].includes(run.status as string);
    }, 120_000);
    return run;
  };

  return {
    dbu: web,
    browser: chromium,
    url: (hash) => `${web.baseUrl}/admin/#${hash}`,
    open: (hash) => openAdmin(chromium, web, hash),
    api,
    importThroughApi,
    close,
  };
}
