#!/usr/bin/env node
// `pnpm docs:routes [--check]`: writes the route → scope → allowlist tables of docs/contracts.md
// from the services' access policies (the tables the access check reads), between the markers
// `<!-- access-table:<service> begin … -->` and `<!-- access-table:<service> end -->`.
// --check changes nothing and exits 1 when the document differs (each service's test suite checks
// the same: services/<svc>/test/access-table-doc.test.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const services = [
  ['dbu', 'DBU_ACCESS_POLICY'],
  ['im', 'IM_ACCESS_POLICY'],
  ['is-web', 'IS_ACCESS_POLICY'],
];

const tsc = join(root, 'node_modules', '.bin', 'tsc');
const build = spawnSync(tsc, ['-b', ...services.map(([dir]) => join(root, 'services', dir))], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const docPath = join(root, 'docs', 'contracts.md');
const original = readFileSync(docPath, 'utf8');
let doc = original;
for (const [dir, name] of services) {
  const require = createRequire(join(root, 'services', dir, 'package.json'));
  const { replaceAccessTable } = require('@pjs/http');
  const policy = require(join(root, 'services', dir, 'dist', 'access-policy.js'))[name];
  doc = replaceAccessTable(doc, policy);
}
if (doc === original) {
  process.stdout.write('docs/contracts.md: the access tables are up to date\n');
} else if (check) {
  process.stderr.write('docs/contracts.md: the access tables differ from the access policies; run pnpm docs:routes\n');
  process.exit(1);
} else {
  writeFileSync(docPath, doc);
  process.stdout.write('docs/contracts.md: access tables rewritten from the access policies\n');
}
