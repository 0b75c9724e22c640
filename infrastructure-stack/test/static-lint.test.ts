import path from 'node:path';
import { listFiles } from './support/files';
import { COMPOSE_DIR, INFRA_DIR, REPO_ROOT, SCRIPTS_DIR, describeWithTools, run } from './support/tools';

const SCRIPTS = [
  'setup_approle.sh',
  'push_env_to_vault.sh',
  'obtain_cert.sh',
  'reload_nginx.sh',
  'check_env.sh',
  'ci-infra.sh',
];
/** Scripts the stacks' containers run from a read-only mount. */
const CONTAINER_SCRIPTS = [path.join(INFRA_DIR, 'postgres-exporter/monitor-role.sh')];

describeWithTools(['shellcheck'], 'shell scripts (shellcheck)', () => {
  it('finds no issue in the operator scripts', () => {
    const files = SCRIPTS.map((s) => path.join(SCRIPTS_DIR, s));
    const result = run('shellcheck', ['--severity=style', '--shell=bash', '-x', ...files], { cwd: REPO_ROOT });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('finds no issue in the scripts the containers run', () => {
    const result = run('shellcheck', ['--severity=style', ...CONTAINER_SCRIPTS], { cwd: REPO_ROOT });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('catches a broken script (the check is live)', () => {
    const result = run('shellcheck', ['-'], { input: '#!/bin/bash\nrm -rf $1/*\n' });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('SC2086');
  });
});

describe('operator scripts', () => {
  it.each(SCRIPTS)('%s starts with set -euo pipefail and prints usage on -h', (script) => {
    const file = path.join(SCRIPTS_DIR, script);
    const text = run('cat', [file]).stdout;
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env bash');
    expect(text).toMatch(/^set -euo pipefail$/m);
    const help = run('bash', [file, '-h']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: /);
  });

  it.each(SCRIPTS.filter((s) => s !== 'ci-infra.sh'))(
    '%s rejects an unknown option with exit 2 and a hint',
    (script) => {
      const result = run('bash', [path.join(SCRIPTS_DIR, script), '--bogus-option']);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/unknown option '--bogus-option'|unexpected argument '--bogus-option'/);
      expect(result.stderr).toContain('-h');
    },
  );

  it.each([
    ['setup_approle.sh', [], /missing <project>/],
    ['setup_approle.sh', ['Bad/Name'], /invalid project name/],
    ['push_env_to_vault.sh', [], /missing <project>/],
    ['obtain_cert.sh', [], /missing <domain>/],
    ['obtain_cert.sh', ['-e', 'ops@example.test', 'not a domain'], /invalid domain/],
    ['check_env.sh', [], /missing <stack>/],
    ['check_env.sh', ['nope'], /unknown stack 'nope'/],
  ] as const)('%s %j explains the misuse (exit 2)', (script, args, message) => {
    const result = run('bash', [path.join(SCRIPTS_DIR, script), ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('postgres-exporter/monitor-role.sh', () => {
  const script = CONTAINER_SCRIPTS[0];
  const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH, ...extra });

  it('prints usage on -h and rejects an argument', () => {
    expect(run('bash', [script, '-h']).stdout).toMatch(/^Usage: /);
    const bad = run('bash', [script, '--bogus-option']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unexpected argument '--bogus-option'");
  });

  it.each([
    [{}, /MONITOR_PASSWORD_FILE must name a readable file/],
    [{ MONITOR_PASSWORD_FILE: '/nonexistent/monitor_password' }, /MONITOR_PASSWORD_FILE must name a readable file/],
    [{ MONITOR_PASSWORD_FILE: '/dev/null' }, /is empty/],
    [{ MONITOR_ROLE: 'Bad"Role' }, /not a plain lower-case identifier/],
  ])('refuses %j before connecting (exit 2)', (extra, message) => {
    const result = run('bash', [script], { env: env({ PGHOST: '/nonexistent', ...extra }) });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describeWithTools(['yamllint'], 'YAML (yamllint)', () => {
  it('finds no issue in compose files, infrastructure configs and the deploy workflow', () => {
    const files = [
      ...listFiles(COMPOSE_DIR, /\.ya?ml$/),
      ...listFiles(INFRA_DIR, /\.ya?ml$/),
      path.join(REPO_ROOT, '.github/workflows/deploy.yml'),
    ];
    expect(files.length).toBeGreaterThan(30);
    const result = run('yamllint', ['-c', path.join(REPO_ROOT, '.yamllint.yml'), '-f', 'parsable', ...files], {
      cwd: REPO_ROOT,
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
