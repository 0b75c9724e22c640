#!/usr/bin/env node
// `pnpm test`: the whole suite (unit + integration against the real PostgreSQL and RabbitMQ).
// Extra arguments go to Jest, e.g. `pnpm test services/dbu` or `pnpm test -t "reduce"`.
// PostgreSQL and RabbitMQ (TEST_DATABASE_URL, TEST_RABBITMQ_URL, TEST_RABBITMQ_MANAGEMENT_URL, or
// 127.0.0.1's standard ports) are started when they do not answer (scripts/local-services.mjs).
// Ends with one plain summary line ("tests: N passed, N failed, N skipped").
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLocalServices } from './local-services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let stopServices;
// Several suites run the built processes (dist/) and the built admin, as deployed: build first
// (incremental, seconds when nothing changed), so a fresh clone's `pnpm test` needs nothing else.
if (!process.env.PJS_TEST_NO_BUILD) {
  const build = spawnSync('pnpm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) {
    process.stdout.write('\ntests: 0 passed, 1 failed, 0 skipped (the build failed)\n');
    process.exit(build.status ?? 1);
  }
}

try {
  stopServices = await ensureLocalServices(root, {
    postgresUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    rabbitUrl: process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    managementUrl: process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672',
  });
} catch (error) {
  process.stderr.write(`test: ${error.message}\n`);
  process.stdout.write('\ntests: 0 passed, 1 failed (PostgreSQL or RabbitMQ unavailable)\n');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'pjs-jest-'));
const report = join(dir, 'report.json');
const args = ['jest', '--maxWorkers=2', '--json', `--outputFile=${report}`, ...process.argv.slice(2)];
if (process.env.CI) args.push('--ci');
// Asynchronous: an embedded PostgreSQL started above writes its log to this process's pipes.
const child = spawn('pnpm', ['exec', ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
const status = await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
await stopServices();

let summary = 'tests: 0 passed, 1 failed (no Jest report)';
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const failedSuites = r.numFailedTestSuites ?? 0;
  const failed = (r.numFailedTests ?? 0) + (failedSuites && !r.numFailedTests ? failedSuites : 0);
  summary = `tests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped`;
} catch {
  // keep the failure summary
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`\n${summary}\n`);
process.exit(status);
