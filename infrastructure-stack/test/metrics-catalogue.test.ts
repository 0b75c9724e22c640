import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { listFiles, readJson, readYaml } from './support/files';
import { analysePromql, substituteGrafanaVariables } from './support/promql';
import { COMPOSE_DIR, INFRA_DIR, describeWithTools, run } from './support/tools';

interface CatalogueEntry {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  labels: string[];
  source: string;
  exporters: string[];
}

interface Use {
  where: string;
  expr: string;
}

const catalogue = () => readJson<{ metrics: CatalogueEntry[] }>(path.join(INFRA_DIR, 'metrics-catalogue.json')).metrics;

/** Every PromQL expression of a Grafana dashboard (Prometheus panels and variable queries). */
function dashboardExprs(): Use[] {
  const uses: Use[] = [];
  for (const file of listFiles(path.join(INFRA_DIR, 'grafana/dashboards'), /\.json$/)) {
    const d = readJson<{
      title: string;
      panels: { title: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
      templating: { list: { name: string; type?: string; query: { query: string } | string }[] };
    }>(file);
    for (const p of d.panels) {
      if (p.datasource?.uid !== 'prometheus') continue;
      for (const t of p.targets ?? [])
        uses.push({ where: `${d.title} / ${p.title}`, expr: substituteGrafanaVariables(t.expr) });
    }
    for (const v of d.templating.list.filter((x) => x.type !== 'textbox')) {
      const q = typeof v.query === 'string' ? v.query : v.query.query;
      const inner = /^label_values\((.+),\s*\w+\)$/.exec(q)?.[1] ?? q;
      uses.push({ where: `${d.title} / $${v.name}`, expr: inner });
    }
  }
  return uses;
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

function ruleExprs(): { uses: Use[]; recorded: string[] } {
  const uses: Use[] = [];
  const recorded: string[] = [];
  for (const file of listFiles(path.join(INFRA_DIR, 'prometheus/rules'), /\.yml$/)) {
    for (const g of readYaml<RuleFile>(file).groups) {
      for (const r of g.rules) {
        uses.push({ where: `${path.basename(file)} / ${r.alert ?? r.record}`, expr: r.expr });
        if (r.record) recorded.push(r.record);
      }
    }
  }
  return { uses, recorded };
}

/** The catalogue entry a series name belongs to (histograms export _bucket, _sum, _count). */
function entryFor(name: string, entries: CatalogueEntry[]): CatalogueEntry | undefined {
  return (
    entries.find((e) => e.name === name) ??
    entries.find(
      (e) =>
        (e.type === 'histogram' || e.type === 'summary') &&
        /_(bucket|sum|count)$/.test(name) &&
        name.replace(/_(bucket|sum|count)$/, '') === e.name,
    )
  );
}

/** Labels Prometheus or the scrape config adds to every series. */
const TARGET_LABELS = ['job', 'instance', 'project', 'service', 'le', 'alertname', 'alertstate', '__name__'];

describe('metrics catalogue (infrastructure-stack/metrics-catalogue.json)', () => {
  it('lists each metric once with a type, labels, source and exporters', () => {
    const entries = catalogue();
    const names = entries.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const e of entries) {
      expect(['counter', 'gauge', 'histogram', 'summary']).toContain(e.type);
      expect(Array.isArray(e.labels) && Array.isArray(e.exporters)).toBe(true);
      if (e.type === 'counter') expect(e.name).toMatch(/_total$/);
      if (e.source === 'app') {
        expect(e.exporters.length).toBeGreaterThan(0);
        for (const x of e.exporters)
          expect(['is-web', 'dbu-web', 'dbu-worker', 'dbu-cleanup', 'im-web', 'im-worker']).toContain(x);
      }
    }
  });

  it('holds every metric our services must export (issue 5)', () => {
    const names = catalogue().map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'http_request_duration_seconds',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'is_target_up',
        'is_target_latency_seconds',
        'outbox_backlog',
        'messages_consumed_total',
        'messages_dead_lettered_total',
        'dbu_products_total',
        'dbu_email_data_rows_total',
        'dbu_imports_total',
        'dbu_import_rows_total',
        'dbu_import_duration_seconds',
        'dbu_import_rows_per_second',
        'dbu_import_progress_ratio',
        'dbu_photos_fetched_total',
        'im_stock_movements_total',
        'im_reduce_conflicts_total',
        'im_orders_received_total',
        'im_sync_lag_seconds',
        'im_sync_batch_size',
        'im_dbu_client_errors_total',
        'im_dbu_breaker_state',
        'rabbitmq_queue_messages_ready',
      ]),
    );
  });

  it('parses every dashboard and rule expression with the PromQL grammar', () => {
    const all = [...dashboardExprs(), ...ruleExprs().uses];
    expect(all.length).toBeGreaterThan(60);
    const broken = all.map((u) => ({ ...u, errors: analysePromql(u.expr).errors })).filter((u) => u.errors.length > 0);
    expect(broken).toEqual([]);
  });

  it('knows every metric a dashboard or an alert uses, with the labels it matches on', () => {
    const entries = catalogue();
    const { uses, recorded } = ruleExprs();
    const unknown: string[] = [];
    const badLabels: string[] = [];
    for (const use of [...dashboardExprs(), ...uses]) {
      const { metrics, matchers } = analysePromql(use.expr);
      for (const name of metrics) {
        if (recorded.includes(name)) continue;
        const entry = entryFor(name, entries);
        if (!entry) {
          unknown.push(`${use.where}: ${name}`);
          continue;
        }
        for (const label of matchers.get(name) ?? []) {
          if (!entry.labels.includes(label) && !TARGET_LABELS.includes(label))
            badLabels.push(`${use.where}: ${name}{${label}}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    expect(badLabels).toEqual([]);
  });

  it('uses every app, cAdvisor and Vault metric of the catalogue somewhere (no dead entries)', () => {
    const used = new Set([...dashboardExprs(), ...ruleExprs().uses].flatMap((u) => analysePromql(u.expr).metrics));
    const entries = catalogue();
    const unused = entries
      .filter((e) => ['app', 'cadvisor', 'vault'].includes(e.source))
      .filter((e) => ![...used].some((n) => entryFor(n, [e])))
      .map((e) => e.name);
    expect(unused).toEqual([]);
  });
});

interface CadvisorContract {
  version: string;
  metricKinds: string[];
  containerLabels: string[];
  metrics: { name: string; type: string; group: string | null; labels: string[] }[];
}

const cadvisorContract = () => readJson<CadvisorContract>(path.join(__dirname, 'fixtures/cadvisor-metrics.json'));

/** The cadvisor service of the prod overlay (the only place it runs). */
function cadvisorService(): { image: string; flags: Map<string, string> } {
  const compose = readYaml<{ services: Record<string, { image: string; command: string[] }> }>(
    path.join(COMPOSE_DIR, 'infrastructure-stack/docker-compose.prod.yml'),
  );
  const { image, command } = compose.services.cadvisor;
  return { image, flags: new Map(command.map((f) => f.replace(/^--/, '').split('=') as [string, string])) };
}

/** Labels a cadvisor series carries: the container's own, our whitelisted Docker labels, the metric's. */
function cadvisorLabels(metric: CadvisorContract['metrics'][number], whitelist: string[]): string[] {
  const docker = whitelist.map((l) => `container_label_${l.replace(/[^a-zA-Z0-9_]/g, '_')}`);
  return [...cadvisorContract().containerLabels, ...docker, ...metric.labels];
}

/** Catalogue entries of cAdvisor that the contract does not provide with the given flags. */
function cadvisorViolations(entries: CatalogueEntry[], disabled: string[], whitelist: string[]): string[] {
  const contract = cadvisorContract();
  const problems: string[] = [];
  for (const e of entries.filter((x) => x.source === 'cadvisor')) {
    const m = contract.metrics.find((x) => x.name === e.name);
    if (!m) {
      problems.push(`${e.name}: not a cAdvisor ${contract.version} metric of the contract`);
      continue;
    }
    if (m.type !== e.type) problems.push(`${e.name}: ${e.type} in the catalogue, ${m.type} in cAdvisor`);
    if (m.group && disabled.includes(m.group)) problems.push(`${e.name}: its group ${m.group} is disabled`);
    const known = cadvisorLabels(m, whitelist);
    for (const l of e.labels) if (!known.includes(l)) problems.push(`${e.name}: cAdvisor sets no label ${l}`);
  }
  return problems;
}

describe('cAdvisor metrics (contract test/fixtures/cadvisor-metrics.json; cAdvisor cannot run here)', () => {
  const { image, flags } = cadvisorService();
  const disabled = (flags.get('disable_metrics') ?? '').split(',');
  const whitelist = (flags.get('whitelisted_container_labels') ?? '').split(',');

  it('runs the cAdvisor version the contract describes, Docker containers only, every 30 s', () => {
    expect(image).toBe(`gcr.io/cadvisor/cadvisor:${cadvisorContract().version}`);
    expect(flags.get('docker_only')).toBe('true');
    expect(flags.get('housekeeping_interval')).toBe('30s');
    // Docker labels would otherwise all become series labels (cardinality): two, by name.
    expect(flags.get('store_container_labels')).toBe('false');
    expect(whitelist).toEqual(['pjs.project', 'com.docker.compose.service']);
  });

  it('disables only metric kinds cAdvisor knows (an unknown one stops it) and keeps the rest small', () => {
    const { metricKinds } = cadvisorContract();
    expect(disabled.filter((k) => !metricKinds.includes(k))).toEqual([]);
    const enabled = metricKinds.filter((k) => !disabled.includes(k));
    expect(enabled.sort()).toEqual(['cpu', 'disk', 'diskIO', 'memory', 'network']);
  });

  it('provides every cadvisor metric a dashboard or an alert uses, with its labels, under our flags', () => {
    const entries = catalogue();
    expect(entries.filter((e) => e.source === 'cadvisor').length).toBeGreaterThanOrEqual(8);
    expect(cadvisorViolations(entries, disabled, whitelist)).toEqual([]);
  });

  it('catches a used metric whose group is disabled, or a label cAdvisor does not set (the check is live)', () => {
    const entries = catalogue();
    expect(cadvisorViolations(entries, [...disabled, 'memory'], whitelist)).toContain(
      'container_memory_working_set_bytes: its group memory is disabled',
    );
    expect(cadvisorViolations(entries, disabled, ['pjs.project'])).toContain(
      'container_memory_working_set_bytes: cAdvisor sets no label container_label_com_docker_compose_service',
    );
    const invented: CatalogueEntry = {
      name: 'container_oom_kills_total',
      type: 'counter',
      labels: [],
      source: 'cadvisor',
      exporters: ['cadvisor'],
    };
    expect(cadvisorViolations([invented], disabled, whitelist)).toEqual([
      'container_oom_kills_total: not a cAdvisor v0.49.1 metric of the contract',
    ]);
  });
});

describeWithTools(['promtool'], 'dashboard PromQL (promtool)', () => {
  it('passes Prometheus’ own parser for every dashboard query', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pjs-dash-'));
    try {
      const uses = dashboardExprs();
      const file = path.join(dir, 'dashboards.yml');
      writeFileSync(
        file,
        toYaml({
          groups: [
            { name: 'dashboards', rules: uses.map((u, i) => ({ record: `dashboard:query:${i}`, expr: u.expr })) },
          ],
        }),
      );
      const result = run('promtool', ['check', 'rules', file]);
      expect(result.stdout + result.stderr).toContain(`SUCCESS: ${uses.length} rules found`);
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
