import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';

export type RawSettings = Record<string, string | undefined>;

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
