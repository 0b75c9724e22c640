import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export { freePort } from '../../../test/support/free-port';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const INFRA_DIR = path.join(REPO_ROOT, 'infrastructure-stack');
export const COMPOSE_DIR = path.join(REPO_ROOT, 'compose');
export const SCRIPTS_DIR = path.join(REPO_ROOT, 'scripts');
export const STACKS = ['infrastructure-stack', 'dbu', 'im'] as const;
export type Stack = (typeof STACKS)[number];

const EXTRA_PATH = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/**
 * Where scripts/ci-nginx.sh puts Debian sid's nginx: our configuration needs nginx >= 1.27.3
 * (`server ... resolve` in upstreams), which Debian bookworm's nginx (1.22) is not.
 */
const SID_NGINX = '/var/cache/pjs/nginx-sid/pjs-nginx';

/** Absolute path of an executable on PATH (plus the sbin directories), or undefined. */
export function which(tool: string): string | undefined {
  if (tool === 'nginx') return nginxCapable();
  return onPath(tool);
}

/** The nginx to test our configuration with: PJS_NGINX_BIN, else scripts/ci-nginx.sh's. */
function nginxCapable(): string | undefined {
  for (const candidate of [process.env.PJS_NGINX_BIN, SID_NGINX]) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function onPath(tool: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...EXTRA_PATH].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const isCi = () => ['true', '1'].includes((process.env.CI ?? '').toLowerCase());

/**
 * `describe` that needs external tools. Locally a missing tool skips the block with a message;
 * under CI=true it fails, so a CI machine without the tools cannot pass silently.
 */
export function describeWithTools(tools: readonly string[], name: string, fn: () => void): void {
  const missing = tools.filter((t) => !which(t));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const hint = `missing ${missing.join(', ')}: run scripts/ci-infra.sh${missing.includes('nginx') ? ' and scripts/ci-nginx.sh' : ''}`;
  if (isCi()) {
    describe(name, () => {
      it('has the tools it needs', () => {
        throw new Error(`${name}: ${hint}`);
      });
    });
    return;
  }
  console.warn(`skipping "${name}" (${hint})`);
  describe.skip(name, fn);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (synchronously). */
export function run(cmd: string, args: readonly string[], options: SpawnOptions & { input?: string } = {}): RunResult {
  const exe = cmd.includes('/') ? cmd : (which(cmd) ?? cmd);
  const result = spawnSync(exe, args, { encoding: 'utf8', timeout: 60_000, ...options, stdio: undefined });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/** Runs a command asynchronously (for scripts that talk to an in-process fake server). */
export function runAsync(
  cmd: string,
  args: readonly string[],
  options: SpawnOptions & { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const exe = cmd.includes('/') ? cmd : (which(cmd) ?? cmd);
  return new Promise((resolve, reject) => {
    const input = options.input;
    const child = spawn(exe, args, { ...options, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    // A script may exit before reading its input: that is its answer, not a test failure.
    child.stdin?.on('error', () => undefined);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Polls `check` until it returns a value or the deadline passes. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
}
