import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listFiles, readJson, readYaml } from './support/files';
import { INFRA_DIR } from './support/tools';

interface LokiConfig {
  auth_enabled: boolean;
  schema_config: { configs: { store: string; schema: string; object_store: string; index: { period: string } }[] };
  compactor: { retention_enabled: boolean; delete_request_store?: string; working_directory: string };
  limits_config: Record<string, unknown>;
  analytics?: { reporting_enabled: boolean };
}

describe('Loki (infrastructure-stack/loki)', () => {
  const loki = () => readYaml<LokiConfig>(path.join(INFRA_DIR, 'loki/loki.yml'));

  it('uses the TSDB index with schema v13 on the filesystem', () => {
    const configs = loki().schema_config.configs;
    expect(configs.at(-1)).toMatchObject({
      store: 'tsdb',
      schema: 'v13',
      object_store: 'filesystem',
      index: { period: '24h' },
    });
  });

  it('enforces retention through the compactor (Loki 3 needs delete_request_store with retention)', () => {
    const cfg = loki();
    expect(cfg.compactor.retention_enabled).toBe(true);
    expect(cfg.compactor.delete_request_store).toBe('filesystem');
    expect(cfg.limits_config.retention_period).toMatch(/^\d+h$/);
  });

  it('limits ingestion and streams, and keeps few labels per stream', () => {
    const limits = loki().limits_config;
    for (const key of [
      'ingestion_rate_mb',
      'ingestion_burst_size_mb',
      'max_streams_per_user',
      'max_line_size',
      'per_stream_rate_limit',
    ]) {
      expect([key, limits[key]]).toEqual([key, expect.anything()]);
    }
    expect(limits.max_label_names_per_series).toBeLessThanOrEqual(10);
    expect(loki().analytics?.reporting_enabled).toBe(false);
  });
});

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
  gridPos: { x: number; y: number; w: number; h: number };
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type?: string; datasource?: { uid: string } }[] };
}

const DASHBOARD_DIR = path.join(INFRA_DIR, 'grafana/dashboards');

describe('Grafana (infrastructure-stack/grafana)', () => {
  it('provisions Prometheus and Loki with fixed uids', () => {
    const file = readYaml<{ datasources: Datasource[] }>(
      path.join(INFRA_DIR, 'grafana/provisioning/datasources/datasources.yml'),
    );
    const byUid = Object.fromEntries(file.datasources.map((d) => [d.uid, d]));
    expect(byUid.prometheus).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    expect(byUid.loki).toMatchObject({ type: 'loki', url: 'http://loki:3100' });
  });

  it('provisions the dashboards folder read-only', () => {
    const file = readYaml<{ providers: { options: { path: string }; allowUiUpdates: boolean }[] }>(
      path.join(INFRA_DIR, 'grafana/provisioning/dashboards/dashboards.yml'),
    );
    expect(file.providers[0]).toMatchObject({
      allowUiUpdates: false,
      options: { path: '/var/lib/grafana/dashboards' },
    });
  });

  it('turns sign-up and anonymous access off', () => {
    const ini = readFileSync(path.join(INFRA_DIR, 'grafana/grafana.ini'), 'utf8');
    const section = (name: string) => new RegExp(`\\[${name.replace('.', '\\.')}\\]([^[]*)`).exec(ini)?.[1] ?? '';
    expect(section('users')).toMatch(/^allow_sign_up = false$/m);
    expect(section('auth.anonymous')).toMatch(/^enabled = false$/m);
    expect(section('analytics')).toMatch(/^reporting_enabled = false$/m);
  });

  it('has the dashboards with unique uids, valid layout and known datasources only', () => {
    const files = listFiles(DASHBOARD_DIR, /\.json$/);
    const dashboards = files.map((f) => readJson<Dashboard>(f));
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'pjs-containers',
      'pjs-dbu-imports',
      'pjs-im-stock-sync',
      'pjs-infrastructure',
      'pjs-logs',
      'pjs-overview',
      'pjs-postgres',
      'pjs-vault',
    ]);
    for (const d of dashboards) {
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        if (p.type === 'row') continue;
        expect(['prometheus', 'loki']).toContain(p.datasource?.uid);
        expect(p.targets?.length).toBeGreaterThan(0);
        for (const t of p.targets ?? []) expect(t.datasource?.uid ?? p.datasource?.uid).toBe(p.datasource?.uid);
      }
      // Query variables come from Prometheus; a textbox (the request id to follow) has none.
      for (const v of d.templating.list.filter((x) => x.type !== 'textbox'))
        expect(v.datasource?.uid).toBe('prometheus');
    }
  });

  it('shows is-web targets and RED metrics per service on the overview', () => {
    const overview = readJson<Dashboard>(path.join(DASHBOARD_DIR, 'ecosystem-overview.json'));
    const exprs = overview.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    expect(exprs).toContain('is_target_up');
    expect(exprs).toContain('http_request_duration_seconds_count');
    expect(exprs).toContain('status_class="5xx"');
    expect(exprs).toContain('http_request_duration_seconds_bucket');
  });

  it('follows one request id across every service from the logs dashboard', () => {
    const logs = readJson<Dashboard>(path.join(DASHBOARD_DIR, 'logs.json'));
    expect(logs.templating.list.map((v) => v.name)).toContain('request_id');
    const exprs = logs.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs).toContain('{project=~".+"} | json | request_id = "$request_id"');
  });

  it('queries Loki only by the labels Vector sets (project, service, level)', () => {
    for (const file of listFiles(DASHBOARD_DIR, /\.json$/)) {
      for (const p of readJson<Dashboard>(file).panels.filter((x) => x.datasource?.uid === 'loki')) {
        for (const t of p.targets ?? []) {
          const labels = [...(/\{([^}]*)\}/.exec(t.expr)?.[1] ?? '').matchAll(/(\w+)\s*[=!~]/g)].map((m) => m[1]);
          expect(labels.length).toBeGreaterThan(0);
          for (const l of labels) expect(['project', 'service', 'level']).toContain(l);
        }
      }
    }
  });
});
