import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { parse as parseDotenv } from 'dotenv';
import { listFiles } from './support/files';
import { INFRA_DIR } from './support/tools';

const VAULT_DIR = path.join(INFRA_DIR, 'vault');
const PROJECTS = ['dbu', 'im'];

type Hcl = Record<string, unknown>;
const hcl = (file: string) => parseHcl(path.basename(file), readFileSync(file, 'utf8')) as Promise<Hcl>;
const first = <T>(value: unknown): T => (Array.isArray(value) ? value[0] : value) as T;

describe('Vault configuration (HCL)', () => {
  it('parses every HCL file', async () => {
    const files = listFiles(VAULT_DIR, /\.hcl$/);
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) await expect(hcl(file)).resolves.toBeInstanceOf(Object);
  });

  it('rejects broken HCL (the parser is strict)', async () => {
    await expect(parseHcl('bad.hcl', 'path "secret/data/x" { capabilities = [ }')).rejects.toThrow();
  });

  it('runs production on integrated storage with a TLS listener (TLS 1.2+)', async () => {
    const cfg = await hcl(path.join(VAULT_DIR, 'vault.hcl'));
    const raft = first<Hcl>((cfg.storage as Hcl).raft);
    expect(raft.path).toBe('/vault/data');
    const tcp = first<Hcl>((cfg.listener as Hcl).tcp);
    expect(tcp.tls_disable).toBeUndefined();
    expect(tcp.tls_cert_file).toBe('/vault/tls/vault.crt');
    expect(tcp.tls_key_file).toBe('/vault/tls/vault.key');
    expect(tcp.tls_min_version).toBe('tls12');
    expect(cfg.api_addr).toMatch(/^https:\/\//);
    expect(cfg.ui).toBe(true);
  });

  it('keeps the development server on file storage over plain HTTP', async () => {
    const cfg = await hcl(path.join(VAULT_DIR, 'vault-dev.hcl'));
    expect(first<Hcl>((cfg.storage as Hcl).file).path).toBe('/vault/file');
    expect(first<Hcl>((cfg.listener as Hcl).tcp).tls_disable).toBe(true);
  });

  it('exports Prometheus telemetry behind a token, without the host name in metric names', async () => {
    const cfg = await hcl(path.join(VAULT_DIR, 'vault.hcl'));
    const telemetry = first<Hcl>(cfg.telemetry);
    expect(telemetry.disable_hostname).toBe(true);
    // Vault serves the Prometheus format only when a retention is set.
    expect(telemetry.prometheus_retention_time).toMatch(/^\d+[smh]$/);
    const tcp = first<Hcl>((cfg.listener as Hcl).tcp);
    expect(first<Hcl>(tcp.telemetry).unauthenticated_metrics_access).toBe(false);
  });

  it("gives Prometheus's token (policy pjs-metrics) read on sys/metrics and nothing else", async () => {
    const policy = await hcl(path.join(VAULT_DIR, 'policies', 'metrics.hcl'));
    const paths = policy.path as Record<string, { capabilities: string[] }[]>;
    expect(Object.keys(paths)).toEqual(['sys/metrics']);
    expect(paths['sys/metrics'].flatMap((r) => r.capabilities)).toEqual(['read']);
  });

  it.each(['is', ...PROJECTS])('gives project %s a read-only policy on its own secrets only', async (project) => {
    const policy = await hcl(path.join(VAULT_DIR, 'policies', `${project}.hcl`));
    const paths = policy.path as Record<string, { capabilities: string[] }[]>;
    expect(Object.keys(paths).sort()).toEqual(
      [
        `secret/data/${project}`,
        `secret/data/${project}/*`,
        `secret/metadata/${project}`,
        `secret/metadata/${project}/*`,
      ].sort(),
    );
    for (const [p, rules] of Object.entries(paths)) {
      const caps = rules.flatMap((r) => r.capabilities);
      expect(caps.every((c) => ['read', 'list'].includes(c))).toBe(true);
      expect(p.startsWith('secret/data/') ? caps : ['read']).toEqual(['read']);
    }
  });

  describe.each(PROJECTS)('project %s', (project) => {
    it('has a Vault Agent that logs in again after restarts with its kept AppRole secret id and renders the env file 0640', async () => {
      const agent = await hcl(path.join(VAULT_DIR, 'agent', `${project}.hcl`));
      const autoAuth = first<Hcl>(agent.auto_auth);
      const approle = first<Hcl>((autoAuth.method as Hcl).approle);
      expect(approle.mount_path).toBe('auth/approle');
      expect(approle.config).toEqual({
        role_id_file_path: '/vault/approle/role_id',
        secret_id_file_path: '/vault/approle/secret_id',
        // Kept, not deleted: the agent logs in again by itself after a reboot (docs/vault-unseal.md).
        remove_secret_id_file_after_reading: false,
      });
      expect(approle.max_backoff).toBe('15s');
      expect(first<Hcl>(agent.template_config).exit_on_retry_failure).toBe(true);
      const template = first<Hcl>(agent.template);
      expect(template.destination).toBe('/vault/secrets/app.env');
      expect(template.perms).toBe('0640');
      expect(template.error_on_missing_key).toBe(true);
      expect(template.contents).toContain(`with secret "secret/data/${project}"`);
      // Vault's own address comes from VAULT_ADDR (http in dev, https in prod).
      expect(JSON.stringify(agent.vault ?? {})).not.toContain('address');
    });
  });

  it('renders env lines that dotenv (the config library) reads back verbatim', () => {
    // What the agent's template produces for each key: KEY=`value`
    const agent = readFileSync(path.join(VAULT_DIR, 'agent', 'dbu.hcl'), 'utf8');
    expect(agent).toContain('{{ $key }}=`{{ $value }}`');
    const values: Record<string, string> = {
      DATABASE_URL: 'postgres://dbu:p@ss#w0rd"x\'y@dbu-postgres:5432/dbu?sslmode=disable',
      SIGNAL_SECRET: ' leading and trailing spaces ',
      DBU_PASSWORD: '$HOME ${PATH} \\n not a newline',
      EMPTY: '',
    };
    const rendered = `\n${Object.entries(values)
      .map(([k, v]) => `${k}=\`${v}\``)
      .join('\n')}\n`;
    expect(parseDotenv(rendered)).toEqual(values);
  });
});
