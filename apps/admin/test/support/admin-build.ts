import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ADMIN = join(__dirname, '..', '..');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...readdirSync(path).map((name) => (name === 'generated' ? 0 : newest(join(path, name)))),
  );
}

function fresh(index: string): boolean {
  const sources = Math.max(
    ...['src', 'openapi', 'index.html', 'vite.config.mts', 'package.json'].map((p) => newest(join(ADMIN, p))),
  );
  return existsSync(index) && statSync(index).mtimeMs >= sources;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds the admin (openapi types, tsc, Vite) unless dist/ is newer than its sources: the tests
 * serve the real build, and never depend on someone having run `pnpm build` first. Test files
 * running in parallel build once: the others wait for the lock, then find the build fresh.
 */
export function ensureAdminBuilt(): string {
  const dist = join(ADMIN, 'dist');
  const index = join(dist, 'index.html');
  if (fresh(index)) return dist;
  const lock = join(ADMIN, '.build-lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} held for 5 minutes: remove it if no build runs`);
      sleep(500);
    }
  }
  try {
    if (!fresh(index)) {
      // Jest sets NODE_ENV=test, which would make Vite build React's development bundle.
      const env = { ...process.env, NODE_ENV: 'production' };
      const built = spawnSync('pnpm', ['run', 'build'], { cwd: ADMIN, encoding: 'utf8', env });
      if (built.status !== 0) throw new Error(`admin build failed:\n${built.stdout}\n${built.stderr}`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return dist;
}
