import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startVaultFake, type VaultFake } from '../../test/fakes/vault-fake';
import {
  COMPOSE_DIR,
  INFRA_DIR,
  REPO_ROOT,
  SCRIPTS_DIR,
  describeWithTools,
  freePort,
  run,
  runAsync,
} from './support/tools';

const BIN = path.join(INFRA_DIR, 'backup/bin');
const BACKUP_SCRIPTS = ['backup.sh', 'restore.sh', 'backup-status.sh', 'backup-lib.sh'].map((s) =>
  path.join(SCRIPTS_DIR, s),
);
const SIDECAR_SCRIPTS = ['pjs-backup', 'pjs-pgbackrest', 'pjs-restic', 'restic-env', 'backup-entrypoint'].map((s) =>
  path.join(BIN, s),
);

describeWithTools(['shellcheck'], 'backup scripts (shellcheck)', () => {
  it('passes shellcheck at style level', () => {
    const result = run(
      'shellcheck',
      ['--severity=style', '--shell=bash', '-x', ...BACKUP_SCRIPTS, ...SIDECAR_SCRIPTS, 'test/docker/backup-drill.sh'],
      { cwd: REPO_ROOT },
    );
    // SC2317: the drill's poll callbacks are called indirectly.
    expect(result.stdout.replace(/^.*SC2317.*$/gm, '')).not.toMatch(/SC\d{4}/);
  });
});

describe('backup commands refuse what they cannot do', () => {
  const script = (name: string, args: string[]) =>
    run('bash', [path.join(SCRIPTS_DIR, name), ...args], { cwd: REPO_ROOT, input: '' });

  it.each([
    ['backup.sh', [], /usage|STACK/i],
    ['backup.sh', ['nope'], /unknown stack 'nope'/],
    ['backup.sh', ['dbu', 'weekly'], /backup type must be full, diff or files/],
    ['restore.sh', [], /STACK/],
    ['restore.sh', ['nope', '--yes'], /unknown stack 'nope'/],
    ['restore.sh', ['dbu', '--to', 'not a time', '--yes'], /cannot read the time 'not a time'/],
    ['restore.sh', ['dbu', '--to', '2999-01-01 00:00:00+00', '--yes'], /is in the future/],
    // Without a terminal and without --yes it will not replace any volume.
    ['restore.sh', ['dbu'], /pass --yes to confirm/],
  ] as const)('%s %j', (name, args, message) => {
    const result = script(name, [...args]);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(message);
  });

  it('pjs-pgbackrest needs a stanza and a readable passphrase', () => {
    const noStanza = run('bash', [path.join(BIN, 'pjs-pgbackrest'), 'info'], { env: { PATH: process.env.PATH } });
    expect(noStanza.status).not.toBe(0);
    expect(noStanza.stderr).toContain('BACKUP_STANZA is not set');
    const noPass = run('bash', [path.join(BIN, 'pjs-pgbackrest'), 'info'], {
      env: { PATH: process.env.PATH, BACKUP_STANZA: 'dbu', BACKUP_PASSPHRASE_FILE: '/nonexistent' },
    });
    expect(noPass.status).not.toBe(0);
    expect(noPass.stderr).toContain('cannot read the backup passphrase');
  });
});

describeWithTools(['docker-compose'], 'backup to S3 overlay (docker-compose.backup-s3.yml)', () => {
  it.each(['dbu', 'im'])('switches %s database and sidecar to the bucket, with the credentials as secrets', (stack) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pjs-s3-'));
    try {
      for (const f of ['key', 'secret', 'ca']) writeFileSync(path.join(dir, f), 'x\n');
      const env = {
        PATH: process.env.PATH,
        BACKUP_S3_ENDPOINT: 's3.example.test:9000',
        BACKUP_S3_BUCKET: 'pjs-backups',
        BACKUP_S3_KEY_FILE: path.join(dir, 'key'),
        BACKUP_S3_SECRET_FILE: path.join(dir, 'secret'),
        BACKUP_S3_CA_FILE: path.join(dir, 'ca'),
      };
      const files = ['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.backup-s3.yml'];
      const args = [...files.flatMap((f) => ['-f', f]), 'config'];
      const result = run('docker-compose', args, { cwd: path.join(COMPOSE_DIR, stack), env });
      expect(result.stderr + result.stdout).not.toMatch(/ERROR/);
      expect(result.status).toBe(0);
      for (const service of [`${stack}-postgres`, `${stack}-backup`]) {
        const block = result.stdout.split(`\n  ${service}:\n`)[1]?.split(/\n {2}\S/)[0] ?? '';
        expect(block).toContain('BACKUP_REPO_TYPE: s3');
        expect(block).toContain('BACKUP_S3_BUCKET: pjs-backups');
        expect(block).toContain('source: backup_s3_secret');
      }
      const missing = run('docker-compose', args, {
        cwd: path.join(COMPOSE_DIR, stack),
        env: { ...env, BACKUP_S3_ENDPOINT: '' },
      });
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain('set BACKUP_S3_ENDPOINT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithTools(['restic', 'curl', 'jq'], 'Vault raft snapshot into restic (pjs-backup vault, Vault fake)', () => {
  let vault: VaultFake;
  let dir: string;
  const snapshot = randomBytes(64 * 1024);

  beforeEach(async () => {
    vault = await startVaultFake({
      raftSnapshot: snapshot,
      policies: { 'pjs-backup': 'path "sys/storage/raft/snapshot" { capabilities = ["read"] }' },
    });
    dir = mkdtempSync(path.join(tmpdir(), 'pjs-vault-backup-'));
    writeFileSync(path.join(dir, 'passphrase'), 'test-only-passphrase\n');
  });
  afterEach(async () => {
    await vault.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const backup = (token: string, args: string[]) => {
    writeFileSync(path.join(dir, 'token'), `${token}\n`);
    const env = {
      PATH: `${BIN}:${process.env.PATH}`,
      BACKUP_ROOT: path.join(dir, 'backup'),
      BACKUP_STANZA: 'infrastructure',
      BACKUP_DATABASE: '0',
      BACKUP_PASSPHRASE_FILE: path.join(dir, 'passphrase'),
      BACKUP_VAULT_ADDR: vault.url,
      BACKUP_VAULT_TOKEN_FILE: path.join(dir, 'token'),
      XDG_CACHE_HOME: path.join(dir, 'cache'),
    };
    return runAsync('bash', [path.join(BIN, 'pjs-backup'), ...args], { env, timeoutMs: 60_000 });
  };
  const resticEnv = () => ({
    PATH: process.env.PATH,
    BACKUP_ROOT: path.join(dir, 'backup'),
    BACKUP_PASSPHRASE_FILE: path.join(dir, 'passphrase'),
    XDG_CACHE_HOME: path.join(dir, 'cache'),
  });
  const restic = (args: string[]) => run('bash', [path.join(BIN, 'pjs-restic'), ...args], { env: resticEnv() });

  it('stores the snapshot the API streams, encrypted, and records its success for Prometheus', async () => {
    const token = vault.state.issueToken(['pjs-backup']).token;
    expect((await backup(token, ['init'])).status).toBe(0);
    const result = await backup(token, ['vault']);
    expect(result.stderr + result.stdout).toContain('vault snapshot: done');
    expect(result.status).toBe(0);
    expect(vault.state.requests).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/v1/sys/storage/raft/snapshot', status: 200 }),
    );

    const snapshots = JSON.parse(restic(['snapshots', '--json', '--tag', 'vault']).stdout) as { id: string }[];
    expect(snapshots).toHaveLength(1);
    const out = path.join(dir, 'restored.snap');
    const dumped = run(
      'bash',
      ['-c', 'exec "$0" dump "$1" /vault.snap >"$2"', path.join(BIN, 'pjs-restic'), snapshots[0].id, out],
      {
        env: resticEnv(),
      },
    );
    expect(dumped.status).toBe(0);
    expect(Buffer.compare(readFileSync(out), snapshot)).toBe(0);
    // Encrypted at rest: the snapshot's bytes appear nowhere in the repository's files.
    const grep = run('grep', ['-rqF', snapshot.subarray(0, 32).toString('hex'), path.join(dir, 'backup/restic')]);
    expect(grep.status).not.toBe(0);

    const metrics = readFileSync(path.join(dir, 'backup/metrics/vault-snapshot.prom'), 'utf8');
    expect(metrics).toMatch(/^backup_last_run_success\{target="vault",kind="snapshot"\} 1$/m);
    expect(metrics).toMatch(
      new RegExp(`^backup_last_size_bytes\\{target="vault",kind="snapshot"\\} ${snapshot.length}$`, 'm'),
    );
    expect(metrics).toMatch(/^backup_last_success_timestamp_seconds\{target="vault",kind="snapshot"\} \d{10}$/m);
  });

  it('fails and records the failure when the token may not take snapshots', async () => {
    const token = vault.state.issueToken(['default']).token;
    expect((await backup(token, ['init'])).status).toBe(0);
    const result = await backup(token, ['vault']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('vault snapshot: failed');
    expect(vault.state.requests).toContainEqual(
      expect.objectContaining({ path: '/v1/sys/storage/raft/snapshot', status: 403 }),
    );
    const metrics = readFileSync(path.join(dir, 'backup/metrics/vault-snapshot.prom'), 'utf8');
    expect(metrics).toMatch(/^backup_last_run_success\{target="vault",kind="snapshot"\} 0$/m);
    expect(metrics).toMatch(/^backup_last_success_timestamp_seconds\{target="vault",kind="snapshot"\} 0$/m);
  });
});

describeWithTools(
  ['pgbackrest', 'restic', 'openssl', 'runuser', 'jq'],
  'backups to an S3-compatible bucket over HTTPS (s3rver, real pgBackRest and restic)',
  () => {
    let dir: string;
    let s3: ChildProcess;
    let port: number;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'pjs-s3-backup-'));
      chmodSync(dir, 0o755); // the cluster's user reaches its work directory inside
      // pgBackRest 2.45 speaks only HTTPS to S3 and checks the host name (not IP) in the certificate.
      const cert = run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ]);
      expect(cert.status).toBe(0);
      mkdirSync(path.join(dir, 's3'));
      port = await freePort();
      s3 = spawn(
        path.join(INFRA_DIR, 'node_modules/.bin/s3rver'),
        [
          '-d',
          path.join(dir, 's3'),
          '-a',
          '127.0.0.1',
          '-p',
          String(port),
          '--silent',
          '--key',
          path.join(dir, 'key.pem'),
          '--cert',
          path.join(dir, 'cert.pem'),
          '--configure-bucket',
          'pjs-backups',
        ],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 100; i++) {
        const up = await fetch(`https://localhost:${port}/`).then(
          () => true,
          (err: Error & { cause?: { message?: string } }) =>
            /self-signed|certificate/i.test(err.cause?.message ?? err.message),
        );
        if (up) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    afterAll(() => {
      s3.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it('archives WAL, backs up (full, diff), verifies, restores the rows; restic round-trips a file', async () => {
      expect(process.getuid?.()).toBe(0); // the throwaway cluster runs as postgres through runuser
      const result = await runAsync(
        'bash',
        [
          path.join(INFRA_DIR, 'test/backup/s3-roundtrip.sh'),
          path.join(dir, 'work'),
          `localhost:${port}`,
          'pjs-backups',
          path.join(dir, 'cert.pem'),
          // s3rver's fixed credentials
          'S3RVER',
          'S3RVER',
        ],
        { timeoutMs: 240_000 },
      );
      expect(result.stderr + result.stdout).not.toMatch(/ERROR/);
      expect({ out: result.stdout, err: result.stderr.slice(-2000) }).toMatchObject({
        out: expect.stringContaining('backups: full,diff'),
      });
      expect(result.stdout).toContain('restored rows: 61000');
      expect(result.stdout).toContain('restic: snapshot restored byte for byte');
      expect(result.stdout).toContain('roundtrip ok');
      expect(result.status).toBe(0);
      // Encrypted in the bucket: pgBackRest's files are not readable PostgreSQL pages or WAL.
      const info = run('find', [path.join(dir, 's3/pjs-backups/s3test/pgbackrest/archive'), '-name', '*.lz4*']);
      expect(info.stdout).not.toBe('');
    }, 300_000);
  },
);
