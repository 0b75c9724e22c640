import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  databaseServiceSettings,
  loadConfig,
  readSettingSource,
  redactConfig,
  setting,
  settingSource,
  z,
} from '@pjs/config';

const spec = {
  project: 'demo',
  schema: {
    PORT: setting.port(8000),
    DATABASE_URL: setting.postgresUrl(),
    API_SECRET: z.string().min(8),
    ALLOWED: setting.cidrList(),
    FEATURE: setting.bool(false),
    TIMEOUT: setting.durationMs('5s'),
  },
  sensitive: ['API_SECRET', 'DATABASE_URL'],
} as const;

const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe(loadConfig.name, () => {
  it('reads and types settings from the environment with defaults', async () => {
    const config = await loadConfig(spec, {
      env: {
        DATABASE_URL: 'postgres://u@h/db',
        API_SECRET: 'abcdefgh',
        ALLOWED: '10.0.0.0/8, 127.0.0.1',
        FEATURE: 'yes',
      },
    });
    expect(config).toEqual({
      PORT: 8000,
      DATABASE_URL: 'postgres://u@h/db',
      API_SECRET: 'abcdefgh',
      ALLOWED: ['10.0.0.0/8', '127.0.0.1'],
      FEATURE: true,
      TIMEOUT: 5000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads <NAME>_FILE (Docker secrets) without the trailing newline', async () => {
    const config = await loadConfig(spec, {
      env: { DATABASE_URL: 'postgres://u@h/db', API_SECRET_FILE: file('secret', 's3cret-from-file\n') },
    });
    expect(config.API_SECRET).toBe('s3cret-from-file');
  });

  it('reads the env file a Vault Agent renders, below the process env', async () => {
    const envFile = file('app.env', 'DATABASE_URL=postgres://agent@h/db\nAPI_SECRET="from agent"\nPORT=9000\n');
    const config = await loadConfig(spec, { env: { ENV_FILE: envFile, PORT: '8100' } });
    expect(config.DATABASE_URL).toBe('postgres://agent@h/db');
    expect(config.API_SECRET).toBe('from agent');
    expect(config.PORT).toBe(8100);
  });

  it('remembers which file each setting came from, so a rotated secret can be read again', async () => {
    const secretFile = file('rotating-secret', 'first-secret\n');
    const envFile = file('agent.env', 'DATABASE_URL=postgres://agent@h/db\nAPI_SECRET=from-agent\n');
    const config = await loadConfig(spec, { env: { ENV_FILE: envFile, API_SECRET_FILE: secretFile, PORT: '8100' } });
    expect(settingSource(config, 'API_SECRET')).toEqual({ kind: 'file', path: secretFile });
    expect(settingSource(config, 'DATABASE_URL')).toEqual({ kind: 'env-file', path: envFile });
    expect(settingSource(config, 'PORT')).toEqual({ kind: 'env' });
    expect(settingSource(config, 'TIMEOUT')).toEqual({ kind: 'default' });

    writeFileSync(secretFile, 'second-secret\n');
    writeFileSync(envFile, 'DATABASE_URL=postgres://rotated@h/db\n');
    expect(await readSettingSource(settingSource(config, 'API_SECRET'), 'API_SECRET')).toBe('second-secret');
    expect(await readSettingSource(settingSource(config, 'DATABASE_URL'), 'DATABASE_URL')).toBe(
      'postgres://rotated@h/db',
    );
    expect(await readSettingSource(settingSource(config, 'PORT'), 'PORT')).toBeUndefined();
  });

  it('stops with one message naming every missing or invalid setting', async () => {
    const err = await loadConfig(spec, { env: { PORT: 'eighty', ALLOWED: '10.0.0.0/99' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).toContain('DATABASE_URL: is required');
    expect(message).toContain('API_SECRET: is required');
    expect(message).toContain('PORT: ');
    expect(message).toContain('"10.0.0.0/99" is not an IP address or CIDR');
  });

  it('names an unreadable _FILE', async () => {
    const err = await loadConfig(spec, { env: { API_SECRET_FILE: '/nonexistent/secret' } }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('API_SECRET_FILE: cannot read /nonexistent/secret (ENOENT)');
  });

  it('never shows sensitive values, not even in the error', async () => {
    const err = await loadConfig(spec, { env: { DATABASE_URL: 'mysql://user:hunter2@h/db', API_SECRET: 'x' } }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).not.toContain('hunter2');
    const config = await loadConfig(spec, { env: { DATABASE_URL: 'postgres://u:pw@h/db', API_SECRET: 'abcdefghij' } });
    expect(redactConfig(config)).toMatchObject({ API_SECRET: '***', DATABASE_URL: '***', PORT: 8000 });
  });

  it('reads BODY_LIMIT as a byte count (binary units), 1mb by default', async () => {
    const shared = { project: 'svc', schema: databaseServiceSettings({ port: 8000, metricsPort: 9100 }) };
    const env = { DATABASE_URL: 'postgres://u@h/db' };
    expect((await loadConfig(shared, { env })).BODY_LIMIT).toBe(1024 * 1024);
    expect((await loadConfig(shared, { env: { ...env, BODY_LIMIT: '512kb' } })).BODY_LIMIT).toBe(512 * 1024);
    expect((await loadConfig(shared, { env: { ...env, BODY_LIMIT: '2MB' } })).BODY_LIMIT).toBe(2 * 1024 * 1024);
    expect((await loadConfig(shared, { env: { ...env, BODY_LIMIT: '300b' } })).BODY_LIMIT).toBe(300);
    const err = await loadConfig(shared, { env: { ...env, BODY_LIMIT: 'lots' } }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('BODY_LIMIT: "lots" is not a size');
  });
});
