import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createLogger } from '@pjs/logger';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import { buildIsWebApp } from '../src/bootstrap';
import { loadIsConfig } from '../src/config/is-config';
import { isOpenApiDocument } from '../src/docs/openapi';

const logger = createLogger({ service: 'is-web', process: 'web', level: 'error', stream: new PassThrough() });

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('is-web', () => {
  let healthyHits = 0;
  const healthy = createServer((_req, res) => {
    healthyHits += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  const failing = createServer((_req, res) => res.writeHead(503).end('down'));
  // Two targets that never answer. Probing is concurrent when the second one's request arrives
  // while the first one's is still open (each stays open until the probe's 800 ms timeout).
  const silentOpen = new Set<string>();
  let silentOverlapped = false;
  const silent = (name: string) =>
    createServer((req) => {
      if (silentOpen.size > 0) silentOverlapped = true;
      silentOpen.add(name);
      req.socket.once('close', () => silentOpen.delete(name));
    });
  const slow = silent('slow');
  const stalled = silent('stalled');
  const tcp = createTcpServer((socket) => socket.end());
  let app: INestApplication;
  let ports: number[];

  beforeAll(async () => {
    ports = [
      await listen(healthy),
      await listen(failing),
      await listen(slow),
      await listen(tcp),
      await listen(stalled),
    ];
    const config = await loadIsConfig({
      IS_STATUS_TARGETS: [
        `healthy=http://127.0.0.1:${ports[0]}/health/`,
        `failing=http://127.0.0.1:${ports[1]}/health`,
        `slow=http://127.0.0.1:${ports[2]}/health`,
        `stalled=http://127.0.0.1:${ports[4]}/health`,
        `db=tcp://127.0.0.1:${ports[3]}`,
        `gone=tcp://127.0.0.1:1`,
        `secret=http://user:hunter2@127.0.0.1:${ports[0]}/`,
      ].join(','),
      IS_PROBE_TIMEOUT: '800ms',
      IS_PROBE_CACHE: '60s',
    });
    app = await buildIsWebApp(config, logger);
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    for (const s of [healthy, failing, slow, stalled, tcp]) {
      s.close();
      (s as Server).closeAllConnections?.();
    }
  });

  const http = () => request(app.getHttpServer());

  it('answers /health', async () => {
    const res = await http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', service: 'is-web' });
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('probes every target concurrently and reports each with an overall state', async () => {
    const res = await http().get('/status');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('degraded');
    const byName = Object.fromEntries(res.body.targets.map((t: { name: string }) => [t.name, t]));
    expect(byName.healthy).toMatchObject({ up: true, status_code: 200, detail: 'ok' });
    expect(byName.failing).toMatchObject({ up: false, status_code: 503, detail: 'HTTP 503' });
    expect(byName.slow).toMatchObject({ up: false, status_code: null, detail: 'timed out after 800 ms' });
    expect(byName.stalled).toMatchObject({ up: false, status_code: null, detail: 'timed out after 800 ms' });
    expect(byName.db).toMatchObject({ up: true, detail: 'connected' });
    expect(byName.gone).toMatchObject({ up: false, detail: 'ECONNREFUSED' });
    for (const t of res.body.targets) expect(typeof t.latency_ms).toBe('number');
    // Both silent targets were waited for at once (one timeout in all, not one per target).
    expect(silentOverlapped).toBe(true);
  });

  it('never shows credentials of a target URL', async () => {
    const res = await http().get('/status');
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    const page = await http().get('/');
    expect(page.text).not.toContain('hunter2');
  });

  it('shows no target URL, host or port on the public page or in /status', async () => {
    const status = await http().get('/status');
    const page = await http().get('/');
    for (const text of [JSON.stringify(status.body), page.text]) {
      expect(text).not.toContain('127.0.0.1');
      for (const port of ports) expect(text).not.toContain(`:${port}`);
    }
    for (const t of status.body.targets)
      expect(Object.keys(t).sort()).toEqual(['detail', 'latency_ms', 'name', 'status_code', 'up']);
    expect(page.text).not.toContain('/metrics');
  });

  it('reuses one round of probes however many visitors ask', async () => {
    await http().get('/status');
    const before = healthyHits;
    await Promise.all([...Array<number>(10)].map(() => http().get('/status')));
    await Promise.all([...Array<number>(10)].map(() => http().get('/')));
    expect(healthyHits).toBe(before);
  });

  it('serves its OpenAPI document like DBU and IM, the one isOpenApiDocument builds for the lint', async () => {
    const res = await http().get('/api/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths as object)).toEqual(expect.arrayContaining(['/status', '/health']));
    expect(res.body.paths['/status'].get).toMatchObject({ security: [], 'x-required-scope': null });
    expect(res.body).toEqual(await isOpenApiDocument());
    const ui = await http().get('/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('renders a status page', async () => {
    const res = await http().get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<span class="degraded">degraded</span>');
    expect(res.text).toMatch(/<td>slow<\/td><td>down<\/td>/);
  });

  it('exports per-target gauges and RED metrics by route template', async () => {
    await http().get('/status');
    const res = await http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('is_target_up{target="healthy",service="is-web"} 1');
    expect(res.text).toContain('is_target_up{target="slow",service="is-web"} 0');
    expect(res.text).toMatch(/is_target_latency_seconds\{target="db",service="is-web"\} [0-9.e-]+/);
    const counts = res.text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_count{'));
    expect(
      counts.some((l) =>
        ['service="is-web"', 'method="GET"', 'route="/status"', 'status_class="2xx"'].every((label) =>
          l.includes(label),
        ),
      ),
    ).toBe(true);
    await http().get('/no/such/page/12345');
    const after = await http().get('/metrics');
    expect(after.text).toContain('route="unmatched",status_class="4xx"');
    // The unmatched path is no label value (a number in the exposition may hold its digits).
    expect(after.text).not.toContain('/no/such/page');
  });

  it('serves metrics that promtool accepts', async () => {
    const res = await http().get('/metrics');
    const probe = spawnSync('promtool', ['--version']);
    if (probe.error) {
      if (process.env.CI) throw new Error('promtool is required in CI (Debian package prometheus)');
      return;
    }
    const file = join(mkdtempSync(join(tmpdir(), 'metrics-')), 'metrics.txt');
    writeFileSync(file, res.text);
    const check = spawnSync('sh', ['-c', `promtool check metrics < ${file}`], { encoding: 'utf8' });
    // promtool exits 0 when the text parses; lint remarks (e.g. naming) are printed but not fatal here.
    expect(check.stderr).not.toMatch(/error while linting|text format parsing error/);
    expect(check.status === 0 || /metric names|counter metrics/.test(check.stdout + check.stderr)).toBe(true);
  });

  it('answers unknown routes and bad bodies with JSON errors, not 500', async () => {
    const unknown = await http().get('/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    const bad = await http().post('/health').set('content-type', 'application/json').send('{bad');
    expect(bad.status).toBeLessThan(500);
    const big = await http()
      .post('/health')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ x: 'y'.repeat(20_000) }));
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
  });
});

describe('is-web configuration', () => {
  it('names a malformed target', async () => {
    await expect(loadIsConfig({ IS_STATUS_TARGETS: 'dbu-web' })).rejects.toThrow(
      'IS_STATUS_TARGETS: "dbu-web" must look like name=url',
    );
    await expect(loadIsConfig({ IS_STATUS_TARGETS: 'x=ftp://h/' })).rejects.toThrow(/only http\(s\):\/\/ and tcp:\/\//);
  });
});
