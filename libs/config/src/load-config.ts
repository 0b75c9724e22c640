import { z } from 'zod';
import { ConfigError } from './config.error';
import { readEnvFile, readFileSettings, type RawSettings, type SettingSource } from './env-sources';
import { VaultSession, vaultCredential } from './vault.client';

export interface ConfigSpec<S extends z.ZodRawShape> {
  /** The Vault KV v2 path (`secret/<project>`) and the name used in messages. */
  project: string;
  schema: S;
  /** Settings that must never be printed (passwords, tokens, secrets). */
  sensitive?: readonly (keyof S & string)[];
}

export interface LoadOptions {
  env?: RawSettings;
  /** Keep the Vault session (token renewal) alive; default: closed after reading. */
  keepVaultSession?: boolean;
}

export type LoadedConfig<S extends z.ZodRawShape> = Readonly<z.infer<z.ZodObject<S>>>;

const SENSITIVE_MARK = Symbol.for('pjs.config.sensitive');
const SOURCES_MARK = Symbol.for('pjs.config.sources');

/**
 * Builds the one config object of a process. Precedence, highest first:
 * the process env, `<NAME>_FILE`, the Vault Agent's `ENV_FILE`, Vault KV v2, the schema default.
 */
export async function loadConfig<S extends z.ZodRawShape>(
  spec: ConfigSpec<S>,
  options: LoadOptions = {},
): Promise<LoadedConfig<S>> {
  const env = options.env ?? process.env;
  const names = Object.keys(spec.schema);
  const layers: { values: RawSettings; source: (name: string) => SettingSource }[] = [];
  try {
    layers.push({
      values: await readVault(spec.project, env, options.keepVaultSession ?? false),
      source: () => ({ kind: 'vault' }),
    });
    const envFile = env.ENV_FILE;
    layers.push({ values: readEnvFile(envFile), source: () => ({ kind: 'env-file', path: envFile! }) });
    layers.push({
      values: readFileSettings(names, env),
      source: (name) => ({ kind: 'file', path: env[`${name}_FILE`]! }),
    });
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  layers.push({ values: env, source: () => ({ kind: 'env' }) });

  const raw: RawSettings = {};
  const sources = new Map<string, SettingSource>();
  for (const name of names) {
    for (const layer of layers) {
      const value = layer.values[name];
      if (value !== undefined && value !== '') {
        raw[name] = value;
        sources.set(name, layer.source(name));
      }
    }
  }
  const parsed = z.object(spec.schema).safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        return `${name}: ${raw[name] === undefined ? 'is required' : issue.message}`;
      }),
    );
  }
  const config = { ...parsed.data } as LoadedConfig<S>;
  Object.defineProperty(config, SENSITIVE_MARK, { value: new Set(spec.sensitive ?? []), enumerable: false });
  Object.defineProperty(config, SOURCES_MARK, { value: sources, enumerable: false });
  return Object.freeze(config);
}

/**
 * Where a setting's value came from at start-up: the environment, a `<NAME>_FILE`, the Vault
 * Agent's `ENV_FILE`, Vault KV, or the default. A file source can be read again
 * (`readSettingSource`) to pick up a rotated secret without a restart.
 */
export function settingSource(config: object, name: string): SettingSource {
  const sources = (config as Record<symbol, Map<string, SettingSource> | undefined>)[SOURCES_MARK];
  return sources?.get(name) ?? { kind: 'default' };
}

async function readVault(project: string, env: RawSettings, keepSession: boolean): Promise<RawSettings> {
  if (!env.VAULT_ADDR) return {};
  const roleId = vaultCredential(env, 'VAULT_ROLE_ID');
  const secretId = vaultCredential(env, 'VAULT_SECRET_ID');
  if (!roleId || !secretId) {
    throw new Error('VAULT_ADDR is set but VAULT_ROLE_ID / VAULT_SECRET_ID (or their _FILE forms) are missing');
  }
  const path = env.VAULT_SECRET_PATH ?? project;
  let session: VaultSession | undefined;
  try {
    session = await VaultSession.login({ addr: env.VAULT_ADDR, roleId, secretId, project: path });
    return await session.readProjectSecrets();
  } catch (err) {
    throw new Error(`VAULT_ADDR: cannot read secret/${path} from ${env.VAULT_ADDR} (${describeVaultError(err)})`);
  } finally {
    if (!keepSession) session?.close();
  }
}

function describeVaultError(err: unknown): string {
  const e = err as { response?: { statusCode?: number }; code?: string; message?: string };
  if (e.response?.statusCode) return `HTTP ${e.response.statusCode}`;
  return e.code ?? e.message ?? 'unknown error';
}

/** The config with sensitive values replaced by `***`, safe for logs and status pages. */
export function redactConfig(config: object): Record<string, unknown> {
  const sensitive = (config as Record<symbol, Set<string> | undefined>)[SENSITIVE_MARK] ?? new Set<string>();
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, sensitive.has(key) && value !== undefined ? '***' : value]),
  );
}

/**
 * Runs `load` and turns a ConfigError into one clear line on stderr and exit code 78 (EX_CONFIG).
 */
export async function loadConfigOrExit<T>(load: () => Promise<T>, processName: string): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${processName}: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
