#!/usr/bin/env node
// `pnpm dev`: builds, creates and migrates the local databases, then runs every process that
// exists on localhost (ports from docs/contracts) in the foreground with prefixed output.
// Ctrl-C stops them all. Settings can be overridden by the environment (e.g. PGHOST-style URLs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const pgBase = env.DEV_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const rabbit = env.DEV_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const dbuDatabase = `${pgBase}/${env.DEV_DBU_DATABASE ?? 'dbu'}`;
const imDatabase = `${pgBase}/${env.DEV_IM_DATABASE ?? 'im'}`;
// A development-only service account IM uses to read the catalogue.
const imServiceUser = { username: 'im-service', password: 'im-service-dev-password' };

const common = { LOG_LEVEL: env.LOG_LEVEL ?? 'info', RABBITMQ_URL: rabbit };
const dbuEnv = { ...common, DATABASE_URL: dbuDatabase, MEDIA_DIR: join(root, 'media', 'dbu') };
const imEnv = {
  ...common,
  DATABASE_URL: imDatabase,
  DBU_BASE_URL: 'http://127.0.0.1:8001',
  DBU_USERNAME: imServiceUser.username,
  DBU_PASSWORD: imServiceUser.password,
};
const processes = [
  { name: 'is-web', file: 'services/is-web/dist/main.js', env: { PORT: '8000', IS_STATUS_TARGETS: statusTargets() } },
  { name: 'dbu-web', file: 'services/dbu/dist/main.js', env: { ...dbuEnv, PORT: '8001' } },
  { name: 'dbu-worker', file: 'services/dbu/dist/worker.js', env: { ...dbuEnv, METRICS_PORT: '9101' } },
  { name: 'dbu-cleanup', file: 'services/dbu/dist/cleanup.js', env: dbuEnv },
  { name: 'im-web', file: 'services/im/dist/main.js', env: { ...imEnv, PORT: '8002' } },
  { name: 'im-worker', file: 'services/im/dist/worker.js', env: { ...imEnv, METRICS_PORT: '9102' } },
];

function statusTargets() {
  return (
    env.IS_STATUS_TARGETS ??
    [
      'dbu-web=http://127.0.0.1:8001/health/',
      'dbu-worker=http://127.0.0.1:9101/health',
      'im-web=http://127.0.0.1:8002/health/',
      'im-worker=http://127.0.0.1:9102/health',
      'postgres=tcp://127.0.0.1:5432',
      'rabbitmq=tcp://127.0.0.1:5672',
    ].join(',')
  );
}

function run(label, command, args, extraEnv, input) {
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...env, ...extraEnv },
    input,
    stdio: [input === undefined ? 'inherit' : 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim(), label };
}

function must(step) {
  if (!step.ok) {
    process.stderr.write(`dev: ${step.label} failed:\n${step.out}\n`);
    process.exit(1);
  }
  if (step.out) process.stdout.write(`[dev] ${step.label}: ${step.out.split('\n').slice(-1)[0]}\n`);
}

process.stdout.write('[dev] building…\n');
must(run('build', join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json']));
for (const [svc, url] of [
  ['dbu', dbuDatabase],
  ['im', imDatabase],
]) {
  if (existsSync(join(root, 'services', svc, 'dist', 'cli.js'))) {
    must(run(`${svc} migrate`, process.execPath, [`services/${svc}/dist/cli.js`, 'migrate'], { DATABASE_URL: url, DB_CREATE_IF_MISSING: 'true' }));
  }
}
const account = run(
  'dbu create-user im-service',
  process.execPath,
  ['services/dbu/dist/cli.js', 'create-user', imServiceUser.username, '--password-stdin'],
  dbuEnv,
  `${imServiceUser.password}\n`,
);
if (!account.ok && !/already exists/.test(account.out)) must(account);

const colors = [36, 32, 35, 33, 34, 31];
const children = [];
const width = Math.max(...processes.map((p) => p.name.length));
processes
  .filter((p) => existsSync(join(root, p.file)))
  .forEach((p, i) => {
    const child = spawn(process.execPath, [p.file], { cwd: root, env: { ...env, ...p.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = `\x1b[${colors[i % colors.length]}m${p.name.padEnd(width)} |\x1b[0m `;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(prefix + line + '\n'));
    }
    child.on('exit', (code, signal) => {
      process.stdout.write(`${prefix}exited (${signal ?? code})\n`);
      if (!stopping) shutdown(1);
    });
    children.push(child);
  });
process.stdout.write(`[dev] running: ${children.length} processes (Ctrl-C stops all)\n`);

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(code);
  }, 5000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r))))).then(() =>
    process.exit(code),
  );
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
