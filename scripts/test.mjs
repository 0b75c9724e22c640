#!/usr/bin/env node
// `pnpm test`: the whole suite (unit + integration against the real PostgreSQL and RabbitMQ).
// Extra arguments go to Jest, e.g. `pnpm test services/dbu` or `pnpm test -t "reduce"`.
// Ends with one plain summary line ("tests: N passed, N failed, N skipped").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'pjs-jest-'));
const report = join(dir, 'report.json');
const args = ['jest', '--maxWorkers=2', '--json', `--outputFile=${report}`, ...process.argv.slice(2)];
if (process.env.CI) args.push('--ci');
const result = spawnSync('pnpm', ['exec', ...args], { stdio: 'inherit' });

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
process.exit(result.status ?? 1);
