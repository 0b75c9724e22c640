import type { AddressInfo } from 'node:net';
import { counter, registry, startMetricsServer } from '@pjs/metrics';

describe('worker metrics listener', () => {
  let healthy = true;
  let refreshed = 0;
  let base: string;
  const server = startMetricsServer({
    port: 0,
    host: '127.0.0.1',
    health: async () => ({ ok: healthy, database: healthy }),
    beforeScrape: async () => {
      refreshed += 1;
    },
  });

  beforeAll(async () => {
    base = `http://127.0.0.1:${((await server).address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    (await server).close();
  });

  it('serves the registry in Prometheus text format, refreshed before each scrape', async () => {
    counter('demo_jobs_total', 'Jobs done', ['outcome'] as const).inc({ outcome: 'ok' });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    expect(await res.text()).toContain('demo_jobs_total{outcome="ok"} 1');
    expect(refreshed).toBe(1);
  });

  it('answers /health with 200 or 503 and the report', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    healthy = false;
    const down = await fetch(`${base}/health/`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, database: false });
  });

  it('answers 404 and 405 as JSON', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
