#!/usr/bin/env node
// `pnpm gen-catalogue ROWS OUT.csv [--latin1] [--seed N]`: builds @pjs/testing if it changed and
// writes a realistic wholesaler catalogue (libs/testing/src/catalogue-generator.ts).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const build = spawnSync(tsc, ['-b', join(root, 'libs', 'testing')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const args = process.argv.slice(2);
// Paths are relative to where pnpm was called from.
const cwd = process.env.INIT_CWD ?? process.cwd();
if (args[1]) args[1] = resolve(cwd, args[1]);
const cli = join(root, 'libs', 'testing', 'dist', 'catalogue-generator.cli.js');
const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
