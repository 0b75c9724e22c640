#!/usr/bin/env node
// `pnpm is|dbu|im <command>`: builds what changed (tsc -b is incremental) and runs the service's CLI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devEnvironment } from './dev-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const services = { is: 'is-web', dbu: 'dbu', im: 'im' };
const [name, ...args] = process.argv.slice(2);
const service = services[name];
if (!service) {
  process.stderr.write(`usage: pnpm <is|dbu|im> <command> [options]\n`);
  process.exit(2);
}
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const build = spawnSync(tsc, ['-b', join(root, 'services', service)], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  // Show the compiler's errors, then stop.
  spawnSync(tsc, ['-b', join(root, 'services', service)], { stdio: 'inherit' });
  process.exit(build.status ?? 1);
}
const cli = join(root, 'services', service, 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`${cli} is missing; run pnpm build\n`);
  process.exit(1);
}
// In development the commands use what `pnpm dev` uses; in production only the real configuration.
const development = process.env.NODE_ENV !== 'production';
const defaults = development ? (devEnvironment(root)[name] ?? {}) : {};
const result = spawnSync(process.execPath, [cli, ...args], {
  stdio: 'inherit',
  cwd: process.env.INIT_CWD ?? process.cwd(),
  env: { ...defaults, ...process.env },
});
process.exit(result.status ?? 1);
