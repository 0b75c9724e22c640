import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listFiles } from './support/files';
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

describeWithTools(['amtool'], 'Alertmanager configuration (amtool)', () => {
  it('passes amtool check-config', () => {
    const result = run('amtool', ['check-config', path.join(INFRA_DIR, 'alertmanager/alertmanager.yml')]);
    expect(result.stdout).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('routes Watchdog away from people and everything else to the receiver from the secret file', () => {
    const cfg = run('amtool', [
      'config',
      'routes',
      'test',
      '--config.file',
      path.join(INFRA_DIR, 'alertmanager/alertmanager.yml'),
      'alertname=Watchdog',
    ]);
    expect(cfg.stdout.trim()).toBe('watchdog');
    const other = run('amtool', [
      'config',
      'routes',
      'test',
      '--config.file',
      path.join(INFRA_DIR, 'alertmanager/alertmanager.yml'),
      'alertname=TargetDown',
      'severity=critical',
    ]);
    expect(other.stdout.trim()).toBe('ops');
    expect(run('cat', [path.join(INFRA_DIR, 'alertmanager/alertmanager.yml')]).stdout).toContain(
      'api_url_file: /run/secrets/alertmanager_webhook_url',
    );
  });
});
