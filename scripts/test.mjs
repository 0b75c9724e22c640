#!/usr/bin/env node
// `pnpm test`: the whole suite (unit + integration against the real PostgreSQL and RabbitMQ).
// Extra arguments go to Jest, e.g. `pnpm test services/dbu` or `pnpm test -t "reduce"`.
import { spawnSync } from 'node:child_process';

const args = ['jest', '--maxWorkers=2', ...process.argv.slice(2)];
if (process.env.CI) args.push('--ci');
const result = spawnSync('pnpm', ['exec', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
