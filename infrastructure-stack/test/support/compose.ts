import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { COMPOSE_DIR, run, type Stack } from './tools';

export type Mode = 'dev' | 'prod';

export interface RequiredVar {
  name: string;
  kind: 'value' | 'file' | 'dir';
  description: string;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string | null>;
  networks?: Record<string, unknown> | string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  restart?: string;
  logging?: { driver?: string; options?: Record<string, string> };
  security_opt?: string[];
  mem_limit?: string;
  cpus?: number | string;
  pids_limit?: number;
  labels?: Record<string, string>;
  read_only?: boolean;
  user?: string;
}

export interface ComposeModel {
  services: Record<string, ComposeService>;
  networks?: Record<string, { name?: string; external?: boolean; internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
}

export const composeFiles = (mode: Mode) =>
  mode === 'dev'
    ? ['docker-compose.yml', 'docker-compose.override.yml']
    : ['docker-compose.yml', 'docker-compose.prod.yml'];

export function requiredVars(stack: Stack): RequiredVar[] {
  return readFileSync(path.join(COMPOSE_DIR, stack, 'required-env.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [name = '', kind = '', ...rest] = l.split(/\s+/);
      return { name, kind: kind as RequiredVar['kind'], description: rest.join(' ') };
    });
}

const sampleDirs: string[] = [];

/** Removes the temp dirs sampleEnv made (call from afterAll). */
export function removeSampleEnvs(): void {
  for (const dir of sampleDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Sample values for a stack's required variables (temp files and dirs for file/dir kinds). */
export function sampleEnv(stack: Stack): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), `pjs-env-${stack}-`));
  sampleDirs.push(dir);
  const env: Record<string, string> = {};
  for (const v of requiredVars(stack)) {
    if (v.kind === 'file') {
      const file = path.join(dir, v.name.toLowerCase());
      writeFileSync(file, 'placeholder\n');
      env[v.name] = file;
    } else if (v.kind === 'dir') {
      const d = path.join(dir, v.name.toLowerCase());
      mkdirSync(d);
      env[v.name] = d;
    } else if (v.name === 'VPN_BIND_IP') env[v.name] = '10.8.0.1';
    else if (v.name === 'PJS_IMAGE_TAG') env[v.name] = '1.2.3';
    else env[v.name] = `${v.name.toLowerCase().replace(/_/g, '-')}.example.test`;
  }
  return env;
}

/** A minimal environment: only PATH and HOME from the machine, so nothing leaks into interpolation. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...extra };
}

export function composeArgs(mode: Mode, ...rest: string[]): string[] {
  return [...composeFiles(mode).flatMap((f) => ['-f', f]), ...rest];
}

/** `docker-compose config` of a stack: the merged, interpolated model. */
export function composeConfig(stack: Stack, mode: Mode, env: Record<string, string>): ComposeModel {
  const result = run('docker-compose', composeArgs(mode, 'config'), {
    cwd: path.join(COMPOSE_DIR, stack),
    env: cleanEnv(env),
  });
  if (result.status !== 0) throw new Error(`docker-compose config (${stack}, ${mode}) failed:\n${result.stderr}`);
  return parseYaml(result.stdout) as ComposeModel;
}

export const networksOf = (s: ComposeService): string[] =>
  Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {});

export const dependsOn = (s: ComposeService): Record<string, string> => {
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, v.condition]));
};

export const commandOf = (s: ComposeService): string =>
  Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? '');

/** Parses "ip:published:target/proto" and "published:target" port strings. */
export function parsePort(spec: string): { hostIp: string; published: string; target: string } {
  const [main = ''] = spec.split('/');
  const parts = main.split(':');
  if (parts.length === 3) return { hostIp: parts[0] ?? '', published: parts[1] ?? '', target: parts[2] ?? '' };
  if (parts.length === 2) return { hostIp: '', published: parts[0] ?? '', target: parts[1] ?? '' };
  return { hostIp: '', published: '', target: parts[0] ?? '' };
}

/** Parses "source:target[:mode]" volume strings. */
export function parseVolume(spec: string): { source: string; target: string; mode: string } {
  const [source = '', target = '', mode = 'rw'] = spec.split(':');
  return { source, target, mode };
}
