import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listFiles, readYaml } from './support/files';
import { credentialFiles } from './support/prometheus';
import { INFRA_DIR, describeWithTools, run } from './support/tools';

const PROM_DIR = path.join(INFRA_DIR, 'prometheus');

describeWithTools(['promtool'], 'Prometheus configuration (promtool)', () => {
  it.each(['dev', 'prod'])('passes promtool check config with the %s file_sd targets', (env) => {
    // The layout compose mounts: prometheus.yml, rules/ and file_sd/<env>/ as file_sd/.
    const dir = mkdtempSync(path.join(tmpdir(), 'pjs-prom-'));
    try {
      cpSync(path.join(PROM_DIR, 'prometheus.yml'), path.join(dir, 'prometheus.yml'));
      cpSync(path.join(PROM_DIR, 'rules'), path.join(dir, 'rules'), { recursive: true });
      cpSync(path.join(PROM_DIR, 'file_sd', env), path.join(dir, 'file_sd'), { recursive: true });
      // promtool insists that credential and CA files exist: stand-ins where the prod overlay mounts
      // the real ones (compose.test.ts checks those mounts).
      for (const file of credentialFiles()) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), 'placeholder\n');
      }
      const result = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/SUCCESS: .*prometheus.yml is valid prometheus config file syntax/);
      expect(result.stdout).not.toContain('WARNING');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes promtool check rules on every rule file', () => {
    const files = listFiles(path.join(PROM_DIR, 'rules'), /\.yml$/);
    expect(files.length).toBeGreaterThanOrEqual(6);
    const result = run('promtool', ['check', 'rules', ...files]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('passes every alert unit test (promtool test rules)', () => {
    const files = listFiles(path.join(PROM_DIR, 'tests'), /\.test\.yml$/);
    const result = run('promtool', ['test', 'rules', ...files]);
    expect(result.stdout).not.toContain('FAILED');
    expect(result.status).toBe(0);
    expect(result.stdout.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  it('has a unit test for every alert', () => {
    const rules = listFiles(path.join(PROM_DIR, 'rules'), /\.yml$/)
      .map((f) => run('cat', [f]).stdout)
      .join('\n');
    const tests = listFiles(path.join(PROM_DIR, 'tests'), /\.yml$/)
      .map((f) => run('cat', [f]).stdout)
      .join('\n');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(alerts).toEqual(
      expect.arrayContaining([
        'Watchdog',
        'TargetDown',
        'TargetAbsent',
        'HighErrorRatio',
        'HighLatencyP99',
        'DbuImportFailed',
        'DeadLetterQueueNotEmpty',
        'OutboxBacklog',
        'ImSyncLagHigh',
        'CertificateExpiringSoon',
        'PostgresDown',
        'PostgresConnectionsNearMax',
        'PostgresSlowQueries',
        'QueueGrowingWithoutConsumer',
        'ContainerMemoryNearLimit',
        'ContainerRestarting',
        'VaultSealed',
      ]),
    );
    const untested = alerts.filter((a) => !new RegExp(`alertname: ${a}\\b`).test(tests));
    expect(untested).toEqual([]);
  });

  it('catches a broken rule (the check is live)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pjs-prom-'));
    try {
      const file = path.join(dir, 'bad.yml');
      writeFileSync(file, 'groups:\n  - name: bad\n    rules:\n      - alert: Bad\n        expr: rate(up[5m]\n');
      expect(run('promtool', ['check', 'rules', file]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Our alertmanager.yml as Debian's amtool 0.25 can read it: the dead man's switch's url_file
 * (Alertmanager 0.26+, the production image is 0.27) becomes a url. Nothing else changes.
 */
function alertmanagerFor025(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pjs-am-'));
  const text = readFileSync(path.join(INFRA_DIR, 'alertmanager/alertmanager.yml'), 'utf8');
  const file = path.join(dir, 'alertmanager.yml');
  writeFileSync(
    file,
    text.replace(/url_file: \/run\/secrets\/alertmanager_deadman_url/, 'url: http://deadman.test/ping'),
  );
  return file;
}

describeWithTools(['amtool'], 'Alertmanager configuration (amtool)', () => {
  let amConfig: string;
  beforeAll(() => {
    amConfig = alertmanagerFor025();
  });
  afterAll(() => rmSync(path.dirname(amConfig), { recursive: true, force: true }));

  it('passes amtool check-config', () => {
    const result = run('amtool', ['check-config', amConfig]);
    expect(result.stdout).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it("sends the Watchdog to the dead man's switch from its own secret file", () => {
    const text = readFileSync(path.join(INFRA_DIR, 'alertmanager/alertmanager.yml'), 'utf8');
    expect(text).toContain('url_file: /run/secrets/alertmanager_deadman_url');
    const route = run('amtool', [
      'config',
      'routes',
      'test',
      '--config.file',
      amConfig,
      'alertname=Watchdog',
      'severity=none',
    ]);
    expect(route.stdout.trim()).toBe('deadman');
  });

  it('inhibits only with labels our rules really carry (TargetDown has service; Postgres alerts instance)', () => {
    const am = readYaml<{ inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[] }>(
      path.join(INFRA_DIR, 'alertmanager/alertmanager.yml'),
    );
    const rules = listFiles(path.join(PROM_DIR, 'rules'), /\.yml$/).flatMap((f) =>
      readYaml<{ groups: { rules: { alert?: string; expr: string; labels?: Record<string, string> }[] }[] }>(
        f,
      ).groups.flatMap((g) => g.rules),
    );
    const alerts = new Map(rules.filter((r) => r.alert).map((r) => [r.alert!, r]));
    for (const inhibit of am.inhibit_rules) {
      const names = (ms: string[]) =>
        ms.flatMap((m) => /^alertname\s*=~?\s*"(.+)"$/.exec(m)?.[1].split('|') ?? []).filter((n) => alerts.has(n));
      const sources = names(inhibit.source_matchers);
      const targets = names(inhibit.target_matchers);
      if (!inhibit.source_matchers.some((m) => m.startsWith('alertname'))) continue; // severity-only rule
      expect(sources.length).toBeGreaterThan(0);
      expect(targets.length).toBeGreaterThan(0);
      // Every label of `equal` is produced by the expression (by-clause or label_replace) of each side.
      for (const name of [...sources, ...targets]) {
        const expr = alerts.get(name)!.expr;
        for (const label of inhibit.equal ?? []) {
          // Carried: kept by an aggregation's by-clause, added by label_replace, named by a
          // recorded series (level:metric:op), or a target label (job, instance) of a plain selector.
          const aggregated = /\b(sum|max|min|avg|count|group) by\b/.test(expr);
          const carried =
            new RegExp(`by \\([^)]*\\b${label}\\b`).test(expr) ||
            new RegExp(`label_replace\\(.+,\\s*"${label}"`).test(expr) ||
            new RegExp(`\\b${label}:\\w+:`).test(expr) ||
            (!aggregated && ['job', 'instance'].includes(label));
          expect({ alert: name, label, carried }).toEqual({ alert: name, label, carried: true });
        }
      }
    }
  });

  it('routes Watchdog away from people and everything else to the receiver from the secret file', () => {
    const cfg = run('amtool', ['config', 'routes', 'test', '--config.file', amConfig, 'alertname=Watchdog']);
    expect(cfg.stdout.trim()).toBe('deadman');
    const other = run('amtool', [
      'config',
      'routes',
      'test',
      '--config.file',
      amConfig,
      'alertname=TargetDown',
      'severity=critical',
    ]);
    expect(other.stdout.trim()).toBe('ops');
    expect(run('cat', [path.join(INFRA_DIR, 'alertmanager/alertmanager.yml')]).stdout).toContain(
      'api_url_file: /run/secrets/alertmanager_webhook_url',
    );
  });
});
