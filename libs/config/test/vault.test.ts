import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, VaultSession, loadConfig, setting, z } from '@pjs/config';
import { startVaultFake, type VaultFake } from '../../../test/fakes/vault-fake';

const spec = {
  project: 'dbu',
  schema: { DATABASE_URL: setting.postgresUrl(), SIGNAL_SECRET: z.string(), PORT: setting.port(8001) },
  sensitive: ['DATABASE_URL', 'SIGNAL_SECRET'],
} as const;

const policy = `path "secret/data/dbu" { capabilities = ["read"] }\npath "secret/data/dbu/*" { capabilities = ["read"] }`;

describe('config from Vault (AppRole + KV v2, against a local fake of its HTTP API)', () => {
  let vault: VaultFake;

  beforeAll(async () => {
    vault = await startVaultFake({
      tokenTtl: 3,
      policies: { 'dbu-read': policy },
      roles: { dbu: { roleId: 'role-dbu', secretIds: ['secret-dbu'], policies: ['dbu-read'] } },
      kv: { dbu: { DATABASE_URL: 'postgres://vault@db/dbu', SIGNAL_SECRET: 'from-vault-123456' }, im: { X: 'no' } },
    });
  });

  afterAll(() => vault.close());

  it('logs in with the AppRole and reads secret/<project>', async () => {
    const config = await loadConfig(spec, {
      env: { VAULT_ADDR: vault.url, VAULT_ROLE_ID: 'role-dbu', VAULT_SECRET_ID: 'secret-dbu' },
    });
    expect(config).toEqual({ DATABASE_URL: 'postgres://vault@db/dbu', SIGNAL_SECRET: 'from-vault-123456', PORT: 8001 });
  });

  it('reads the role and secret ids from _FILE forms, and lets the env override Vault', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-'));
    writeFileSync(join(dir, 'role'), 'role-dbu\n');
    writeFileSync(join(dir, 'secret'), 'secret-dbu\n');
    const config = await loadConfig(spec, {
      env: {
        VAULT_ADDR: vault.url,
        VAULT_ROLE_ID_FILE: join(dir, 'role'),
        VAULT_SECRET_ID_FILE: join(dir, 'secret'),
        PORT: '9000',
      },
    });
    expect(config.PORT).toBe(9000);
    expect(config.SIGNAL_SECRET).toBe('from-vault-123456');
  });

  it('fails clearly on a wrong secret id without printing it', async () => {
    const err = await loadConfig(spec, {
      env: { VAULT_ADDR: vault.url, VAULT_ROLE_ID: 'role-dbu', VAULT_SECRET_ID: 'wrong-secret-value' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /VAULT_ADDR: cannot read secret\/dbu from http:\/\/127\.0\.0\.1:\d+ \(HTTP 400\)/,
    );
    expect((err as Error).message).not.toContain('wrong-secret-value');
  });

  it('fails clearly when the AppRole ids are missing or Vault is unreachable', async () => {
    await expect(loadConfig(spec, { env: { VAULT_ADDR: vault.url } })).rejects.toThrow(
      /VAULT_ROLE_ID \/ VAULT_SECRET_ID .* are missing/,
    );
    await expect(
      loadConfig(spec, { env: { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_ROLE_ID: 'a', VAULT_SECRET_ID: 'b' } }),
    ).rejects.toThrow(/cannot read secret\/dbu from http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });

  it('is denied another project’s secrets by the policy', async () => {
    const err = await loadConfig(
      { ...spec, project: 'im' },
      { env: { VAULT_ADDR: vault.url, VAULT_ROLE_ID: 'role-dbu', VAULT_SECRET_ID: 'secret-dbu' } },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toContain('(HTTP 403)');
  });

  it('renews its token before the lease ends', async () => {
    const session = await VaultSession.login({
      addr: vault.url,
      roleId: 'role-dbu',
      secretId: 'secret-dbu',
      project: 'dbu',
    });
    try {
      const token = vault.state.tokens.get(session.token)!;
      const firstExpiry = token.expiresAt;
      // The lease is 3 s; renewal is due at 2 s.
      await new Promise((r) => setTimeout(r, 2600));
      expect(vault.state.tokens.get(session.token)!.expiresAt).toBeGreaterThan(firstExpiry);
      await expect(session.readProjectSecrets()).resolves.toMatchObject({ SIGNAL_SECRET: 'from-vault-123456' });
    } finally {
      session.close();
    }
  });
});
