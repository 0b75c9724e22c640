#!/usr/bin/env node
// Lints the OpenAPI documents of dbu-web, im-web and is-web with Redocly's recommended rules
// (`pnpm run lint:openapi`, run by .ci/run after `pnpm run lint`). Each document is built from the
// service's built package (dist/, so `tsc -b` first) by its document factory, which only scans the
// Nest modules: no server, database or broker is started. The documents are written to a temp
// directory and `redocly lint --extends=recommended` runs on each; any error fails the run,
// warnings are shown. OPENAPI_LINT_KEEP=1 keeps the directory (its path is printed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Document name → the service package and its document factory (exported from src/index.ts). */
const DOCUMENTS = {
  dbu: { service: 'services/dbu', factory: 'dbuOpenApiDocument' },
  im: { service: 'services/im', factory: 'imOpenApiDocument' },
  is: { service: 'services/is-web', factory: 'isOpenApiDocument' },
};

async function build(service, factory) {
  const requireInService = createRequire(join(root, service, 'package.json'));
  requireInService('reflect-metadata');
  const entry = requireInService(join(root, service, 'dist', 'index.js'));
  if (typeof entry[factory] !== 'function') throw new Error(`${service}: no ${factory} in dist/ (run tsc -b first)`);
  return entry[factory]();
}

const redoclyPackage = createRequire(join(root, 'package.json')).resolve('@redocly/cli/package.json');
const redocly = join(dirname(redoclyPackage), JSON.parse(readFileSync(redoclyPackage, 'utf8')).bin.redocly);
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

const dir = mkdtempSync(join(tmpdir(), 'pjs-openapi-'));
const failed = [];
try {
  for (const [name, { service, factory }] of Object.entries(DOCUMENTS)) {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(await build(service, factory), null, 2)}\n`);
    const run = spawnSync(process.execPath, [redocly, 'lint', '--extends=recommended', '--format=stylish', file], {
      env,
      encoding: 'utf8',
    });
    process.stdout.write(`=== ${name} (${service})\n${run.stdout}${run.stderr}`);
    if (run.status !== 0) failed.push(name);
  }
} finally {
  if (process.env.OPENAPI_LINT_KEEP === '1') process.stdout.write(`documents kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(
  failed.length ? `openapi-lint: errors in ${failed.join(', ')}\n` : 'openapi-lint: 0 errors in dbu, im, is\n',
);
// The scanned modules may leave timers behind (metrics, loggers): the verdict is all that is left.
process.exit(failed.length ? 1 : 0);
