import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, redactConfig, setting, z } from '@pjs/config';

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
});
