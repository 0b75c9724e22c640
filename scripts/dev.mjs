#!/usr/bin/env node
// `pnpm dev`: builds, creates and migrates the local databases, then runs every process that
// exists on localhost (ports from docs/contracts) in the foreground with prefixed output.
// Ctrl-C stops them all. Settings can be overridden by the environment (e.g. PGHOST-style URLs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { devEnvironment } from './dev-env.mjs';
import { ensureLocalServices } from './local-services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const { dbu: dbuEnv, im: imEnv, imServiceUser } = devEnvironment(root, env);
const dbuDatabase = dbuEnv.DATABASE_URL;
const imDatabase = imEnv.DATABASE_URL;
const processes = [
  {
    name: 'is-web',
    file: 'services/is-web/dist/main.js',
    env: { PORT: '8000', IS_STATUS_TARGETS: statusTargets(), DRAIN_DELAY: '0s' },
  },
  { name: 'dbu-web', file: 'services/dbu/dist/main.js', env: { ...dbuEnv, PORT: '8001' } },
  { name: 'dbu-worker', file: 'services/dbu/dist/worker.js', env: { ...dbuEnv, METRICS_PORT: '9101' } },
  // Its own /metrics port: in compose each process has its own address, here they share one host.
  { name: 'dbu-cleanup', file: 'services/dbu/dist/cleanup.js', env: { ...dbuEnv, METRICS_PORT: '9103' } },
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
      `postgres=tcp://127.0.0.1:${new URL(dbuDatabase).port || 5432}`,
      `rabbitmq=tcp://127.0.0.1:${new URL(dbuEnv.RABBITMQ_URL).port || 5672}`,
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

class StepFailed extends Error {}

function must(step) {
  if (!step.ok) throw new StepFailed(`${step.label} failed:\n${step.out}`);
  if (step.out) process.stdout.write(`[dev] ${step.label}: ${step.out.split('\n').slice(-1)[0]}\n`);
}

// PostgreSQL and RabbitMQ: used when they answer, started (and said so) when they do not.
let stopServices = async () => {};
try {
  process.stdout.write('[dev] building…\n');
  must(run('build', join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json']));
  stopServices = await ensureLocalServices(root, {
    postgresUrl: dbuDatabase,
    rabbitUrl: dbuEnv.RABBITMQ_URL,
    managementUrl: env.DEV_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672',
  });
  for (const [svc, url] of [
    ['dbu', dbuDatabase],
    ['im', imDatabase],
  ]) {
    if (existsSync(join(root, 'services', svc, 'dist', 'cli.js'))) {
      must(
        run(`${svc} migrate`, process.execPath, [`services/${svc}/dist/cli.js`, 'migrate'], {
          DATABASE_URL: url,
          DB_CREATE_IF_MISSING: 'true',
        }),
      );
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
} catch (error) {
  process.stderr.write(`dev: ${error.message}\n`);
  await stopServices();
  process.exit(1);
}

const colors = [36, 32, 35, 33, 34, 31];
const children = [];
const width = Math.max(...processes.map((p) => p.name.length));
processes
  .filter((p) => existsSync(join(root, p.file)))
  .forEach((p, i) => {
    const child = spawn(process.execPath, [p.file], {
      cwd: root,
      env: { ...env, ...p.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    void stopServices().finally(() => process.exit(code));
  }, 5000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r)))))
    .then(() => stopServices())
    .finally(() => process.exit(code));
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
