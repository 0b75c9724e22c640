import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { listFiles, readJson, readYaml } from './support/files';
import { stopProcess } from './support/nginx';
import { COMPOSE_DIR, INFRA_DIR, describeWithTools, freePort, waitFor, which } from './support/tools';

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  file_sd_configs?: { files: string[] }[];
  relabel_configs?: { replacement?: string; target_label?: string }[];
  scheme?: string;
  authorization?: { credentials_file?: string };
  tls_config?: Record<string, string>;
}

interface PromConfig {
  global: Record<string, unknown>;
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: ScrapeConfig[];
}

interface CatalogueEntry {
  name: string;
  type: string;
  labels: string[];
  source: string;
  exporters: string[];
}

const PROM_DIR = path.join(INFRA_DIR, 'prometheus');

/** Prometheus text exposition with one sample of every catalogue metric the job exports. */
function exposition(job: string, catalogue: CatalogueEntry[]): string {
  const lines: string[] = [];
  for (const m of catalogue.filter((c) => c.exporters.includes(job))) {
    const labels = Object.fromEntries(m.labels.map((l) => [l, l === 'queue' ? 'im.sync-requested' : `sample-${l}`]));
    if (m.source === 'app') labels.service = job;
    const fmt = (extra: Record<string, string> = {}) => {
      const all = { ...labels, ...extra };
      const body = Object.entries(all)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      return body ? `{${body}}` : '';
    };
    lines.push(`# TYPE ${m.name} ${m.type}`);
    if (m.type === 'summary') {
      lines.push(`${m.name}${fmt({ quantile: '0.5' })} 1`, `${m.name}_sum${fmt()} 1`, `${m.name}_count${fmt()} 1`);
    } else if (m.type === 'histogram') {
      lines.push(`${m.name}_bucket${fmt({ le: '1' })} 1`, `${m.name}_bucket${fmt({ le: '+Inf' })} 1`);
      lines.push(`${m.name}_sum${fmt()} 0.5`, `${m.name}_count${fmt()} 1`);
    } else {
      lines.push(
        `${m.name}${fmt()} ${m.name.startsWith('probe_ssl') ? Math.floor(Date.now() / 1000) + 90 * 86400 : 1}`,
      );
    }
  }
  lines.push('# TYPE fake_exporter_up gauge', 'fake_exporter_up 1');
  return `${lines.join('\n')}\n`;
}

describeWithTools(['prometheus'], 'Prometheus with our configuration (live, loopback)', () => {
  let dir: string;
  let prom: ChildProcess | undefined;
  let promPort: number;
  const servers: Server[] = [];
  const alertsReceived: string[] = [];
  let config: PromConfig;

  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${promPort}${p}`);
    if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
    return ((await res.json()) as { data: T }).data;
  };

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pjs-prom-live-'));
    const catalogue = readJson<{ metrics: CatalogueEntry[] }>(path.join(INFRA_DIR, 'metrics-catalogue.json')).metrics;
    config = readYaml<PromConfig>(path.join(PROM_DIR, 'prometheus.yml'));
    promPort = await freePort();

    const amPort = await listen((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/api/v2/alerts') {
          for (const a of JSON.parse(body) as { labels: { alertname: string } }[])
            alertsReceived.push(a.labels.alertname);
        }
        res.writeHead(200).end();
      });
    });

    // Our configuration, with every target moved to a loopback stand-in and short intervals.
    const rendered = structuredClone(config);
    rendered.global = { ...rendered.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
    rendered.rule_files = [path.join(PROM_DIR, 'rules', '*.yml')];
    rendered.alerting.alertmanagers[0].static_configs[0].targets = [`127.0.0.1:${amPort}`];
    mkdirSync(path.join(dir, 'file_sd'));
    for (const job of rendered.scrape_configs) {
      delete job.scrape_interval;
      delete job.scrape_timeout;
      const wantedPath = job.metrics_path ?? '/metrics';
      // A job behind a token (vault): the stand-in answers only with the token from the job's
      // credentials file. It speaks plain HTTP; the TLS settings are checked against compose.
      let wantedAuth: string | undefined;
      if (job.authorization?.credentials_file) {
        const token = `test-token-${job.job_name}`;
        const file = path.join(dir, job.authorization.credentials_file);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${token}\n`);
        job.authorization.credentials_file = file;
        wantedAuth = `Bearer ${token}`;
        delete job.scheme;
        delete job.tls_config;
      }
      const port =
        job.job_name === 'prometheus'
          ? promPort
          : await listen((req, res) => {
              const url = new URL(req.url ?? '/', 'http://x');
              const paramsOk = Object.entries(job.params ?? {}).every(([k, v]) => url.searchParams.get(k) === v[0]);
              if (url.pathname !== wantedPath || !paramsOk) return res.writeHead(404).end('wrong path\n');
              if (wantedAuth && req.headers.authorization !== wantedAuth) return res.writeHead(403).end('no token\n');
              res
                .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
                .end(exposition(job.job_name, catalogue));
            });
      const target = `127.0.0.1:${port}`;
      if (job.static_configs) for (const sc of job.static_configs) sc.targets = [target];
      const relabelToExporter = job.relabel_configs?.find((r) => r.target_label === '__address__');
      if (relabelToExporter) relabelToExporter.replacement = target;
      for (const sd of job.file_sd_configs ?? []) {
        for (const file of sd.files) {
          const prodGroups = readYaml<{ targets: string[]; labels?: Record<string, string> }[]>(
            path.join(PROM_DIR, 'file_sd/prod', path.basename(file)),
          );
          // A job whose prod list is still empty (postgres) gets one stand-in target as well.
          const listed = prodGroups.length > 0 ? prodGroups : [{ targets: [] }];
          const groups = relabelToExporter ? prodGroups : listed.map((g) => ({ ...g, targets: [target] }));
          writeFileSync(path.join(dir, file), toYaml(groups));
        }
      }
    }
    writeFileSync(path.join(dir, 'prometheus.yml'), toYaml(rendered));

    // The flags compose passes (retention by time and size), with their defaults filled in.
    const compose = readYaml<{ services: Record<string, { command: string[] }> }>(
      path.join(COMPOSE_DIR, 'infrastructure-stack/docker-compose.yml'),
    );
    const flags = compose.services.prometheus.command.map((f) =>
      f
        .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')
        .replace(/^--config\.file=.*/, `--config.file=${path.join(dir, 'prometheus.yml')}`)
        .replace(/^--storage\.tsdb\.path=.*/, `--storage.tsdb.path=${path.join(dir, 'data')}`)
        .replace(/^--web\.listen-address=.*/, `--web.listen-address=127.0.0.1:${promPort}`),
    );
    expect(flags.some((f) => f.startsWith('--storage.tsdb.retention.size='))).toBe(true);
    // Test only: the first notification is sent before the Alertmanager is discovered (up to 5 s),
    // so resend after 2 s instead of the default minute.
    flags.push('--rules.alert.resend-delay=2s');
    let stderr = '';
    prom = spawn(which('prometheus')!, flags, { stdio: ['ignore', 'ignore', 'pipe'] });
    prom.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(
      async () => {
        if (prom?.exitCode !== null) throw new Error(`prometheus exited: ${stderr.slice(-2000)}`);
        const res = await fetch(`http://127.0.0.1:${promPort}/-/ready`);
        return res.ok ? true : undefined;
      },
      20_000,
      'Prometheus to be ready',
    );
  }, 40_000);

  afterAll(async () => {
    await stopProcess(prom);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes every job of our configuration and finds every target up', async () => {
    const jobs = config.scrape_configs.map((j) => j.job_name).sort();
    const targets = await waitFor(
      async () => {
        const data = await api<{ activeTargets: { scrapePool: string; health: string; lastError: string }[] }>(
          '/api/v1/targets',
        );
        const up = data.activeTargets.filter((t) => t.health === 'up');
        return up.length === data.activeTargets.length && new Set(up.map((t) => t.scrapePool)).size === jobs.length
          ? data.activeTargets
          : undefined;
      },
      20_000,
      'all targets up',
    );
    expect([...new Set(targets.map((t) => t.scrapePool))].sort()).toEqual(jobs);
    expect(targets.every((t) => t.lastError === '')).toBe(true);
  }, 30_000);

  it('loads every rule group and evaluates every rule without error', async () => {
    const files = listFiles(path.join(PROM_DIR, 'rules'), /\.yml$/);
    const expected = files.flatMap((f) => readYaml<{ groups: { name: string; rules: unknown[] }[] }>(f).groups);
    const groups = await waitFor(
      async () => {
        const data = await api<{
          groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[];
        }>('/api/v1/rules');
        const all = data.groups.flatMap((g) => g.rules);
        return all.length > 0 && all.every((r) => r.health === 'ok') ? data.groups : undefined;
      },
      15_000,
      'rules evaluated',
    );
    expect(groups.map((g) => g.name).sort()).toEqual(expected.map((g) => g.name).sort());
    expect(groups.flatMap((g) => g.rules)).toHaveLength(expected.flatMap((g) => g.rules).length);
  }, 30_000);

  it('sends the Watchdog alert to Alertmanager', async () => {
    await waitFor(
      async () => (alertsReceived.includes('Watchdog') ? true : undefined),
      15_000,
      'Watchdog at the fake Alertmanager',
    );
    expect(alertsReceived).toContain('Watchdog');
  }, 30_000);

  it('stores app series with their service label and records the RED rules', async () => {
    const result = await waitFor(
      async () => {
        const data = await api<{ result: { metric: Record<string, string> }[] }>(
          `/api/v1/query?query=${encodeURIComponent('service:http_requests:rate5m')}`,
        );
        return data.result.length >= 3 ? data.result : undefined;
      },
      15_000,
      'recording rule service:http_requests:rate5m',
    );
    expect(result.map((r) => r.metric.service).sort()).toEqual(['dbu-web', 'im-web', 'is-web']);
  }, 30_000);
});
