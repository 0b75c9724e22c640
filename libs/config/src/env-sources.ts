import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse as parseDotenv } from 'dotenv';

export type RawSettings = Record<string, string | undefined>;

/** Where a setting's value was read from; files can be read again after a rotation. */
export type SettingSource =
  | { kind: 'env' }
  | { kind: 'file'; path: string }
  | { kind: 'env-file'; path: string }
  | { kind: 'vault' }
  | { kind: 'default' };

/** Reads `<NAME>_FILE` (Docker secrets) for every `NAME` the schema knows; trailing newlines are dropped. */
export function readFileSettings(names: readonly string[], env: RawSettings): RawSettings {
  const out: RawSettings = {};
  for (const name of names) {
    const path = env[`${name}_FILE`];
    if (!path) continue;
    try {
      out[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`${name}_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return out;
}

/** Reads the env file a Vault Agent renders (`ENV_FILE`), in dotenv syntax. */
export function readEnvFile(path: string | undefined): RawSettings {
  if (!path) return {};
  try {
    return parseDotenv(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`ENV_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * A setting's current value in its file source (`<NAME>_FILE` or the `ENV_FILE` a Vault Agent
 * renders), read now; undefined when the source is not a file or holds no value for it. Throws
 * when the file cannot be read.
 */
export async function readSettingSource(source: SettingSource, name: string): Promise<string | undefined> {
  if (source.kind === 'file') {
    const value = (await readFile(source.path, 'utf8')).replace(/\r?\n$/, '');
    return value || undefined;
  }
  if (source.kind === 'env-file') return parseDotenv(await readFile(source.path, 'utf8'))[name] || undefined;
  return undefined;
}
