import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { imMigrations } from '../../src/database/migrations';
import {
  TEST_POSTGRES_URL,
  TS_REGISTER,
  TcpProxy,
  createMigratedDatabase,
  createTestUser,
  createTestVhost,
  waitFor,
  type TestUser,
  type TestVhost,
} from '@pjs/testing';
import type { DataSource } from 'typeorm';
import { freePort } from '../../../../test/support/free-port';

jest.setTimeout(180_000);

const MAIN = join(__dirname, '..', '..', 'src', 'main.ts');
const LIMIT = 30;

/** One im-web replica: the real entry point (src/main.ts) in its own process. */
class Replica {
  private child?: ChildProcess;
  output = '';
  port = 0;

  constructor(private readonly env: Record<string, string>) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const child = spawn(process.execPath, ['-r', TS_REGISTER, MAIN], {
      env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`im-web exited (${child.exitCode}):\n${this.output}`);
      return this.output.includes('im-web listening');
    }, 90_000);
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  exited(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  async stop(): Promise<void> {
    const done = this.exited();
    this.child?.kill('SIGKILL');
    await done;
  }
}

const get = (url: string, token?: string) =>
  fetch(url, { headers: token ? { Authorization: `Token ${token}` } : {} }).then(async (res) => ({
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
  }));

/**
 * im-web run as several replicas over one database and one Redis: the state that must hold for
 * the sum of them (rate limits, token revocation) and each replica's readiness and drain.
 */
describe('im-web replicas', () => {
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let vhost: TestVhost;
  let pgProxy: TcpProxy;
  let user: TestUser;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    const migrated = await createMigratedDatabase('im_replicas', { migrations: imMigrations });
    ({ dataSource, close } = migrated);
    vhost = await createTestVhost('im_replicas');
    user = await createTestUser(dataSource, { admin: true });
    // The replicas reach PostgreSQL through a proxy the test can cut (a database outage).
    const pg = new URL(TEST_POSTGRES_URL);
    pgProxy = new TcpProxy(pg.hostname, Number(pg.port || 5432));
    const proxyPort = await pgProxy.start();
    const databaseUrl = new URL(migrated.db.url);
    databaseUrl.port = String(proxyPort);
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl.toString(),
      RABBITMQ_URL: vhost.url,
      INTERNAL_ALLOWED_IPS: '127.0.0.1/32,::1/128',
      ADMIN_ALLOWED_IPS: '127.0.0.1/32,::1/128',
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
      RATE_LIMIT_PER_TOKEN: String(LIMIT),
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_WINDOW: '1m',
      DRAIN_DELAY: '2s',
      DRAIN_TIMEOUT: '10s',
      DB_CREATE_IF_MISSING: 'false',
    };
    for (let i = 0; i < 3; i++) replicas.push(new Replica(env));
    await Promise.all(replicas.map((r) => r.start()));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await pgProxy?.stop();
    await vhost?.drop();
    await close?.();
  });

  it('holds a rate limit of N per window as N across 3 replicas', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT * 3; i++) {
      const replica = replicas[i % 3];
      statuses.push((await get(`${replica.url}/api/inventory/`, user.token)).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(LIMIT * 2);
  });

  it('refuses a revoked token on every replica within a second', async () => {
    const other = await createTestUser(dataSource, { admin: true });
    for (const replica of replicas) {
      expect((await get(`${replica.url}/api/inventory/`, other.token)).status).toBe(200);
    }
    await dataSource.query(`UPDATE auth_tokens SET revoked_at = now() WHERE user_id = $1`, [other.id]);
    await waitFor(
      async () => {
        const answers = await Promise.all(replicas.map((r) => get(`${r.url}/api/inventory/`, other.token)));
        return answers.every((a) => a.status === 401);
      },
      1000,
      50,
    );
  });

  it('is not ready while its database is down, yet stays live', async () => {
    const [replica] = replicas;
    expect((await get(`${replica.url}/health/ready`)).status).toBe(200);
    await pgProxy.cut();
    try {
      await waitFor(async () => (await get(`${replica.url}/health/ready`)).status === 503, 15_000, 200);
      const ready = await get(`${replica.url}/health/ready`);
      expect(ready.body).toMatchObject({ status: 'not_ready', database: 'down', draining: false });
      expect((await get(`${replica.url}/health/live`)).status).toBe(200);
    } finally {
      await pgProxy.restore();
    }
    await waitFor(async () => (await get(`${replica.url}/health/ready`)).status === 200, 15_000, 200);
  });

  it('drains on SIGTERM: not ready at once, in-flight requests finish, then it exits', async () => {
    const replica = replicas[2];
    replica.signal('SIGTERM');
    await waitFor(async () => (await get(`${replica.url}/health/ready`)).status === 503, 1500, 50);
    const during = await get(`${replica.url}/health/ready`);
    expect(during.body).toMatchObject({ status: 'not_ready', draining: true });
    expect((await get(`${replica.url}/health/live`)).status).toBe(200);
    // Still serving during the drain delay: the proxy may not have noticed yet.
    const other = await createTestUser(dataSource, { admin: true });
    expect((await get(`${replica.url}/api/inventory/`, other.token)).status).toBe(200);
    await expect(replica.exited()).resolves.toBe(0);
    expect(replica.output).toMatch(/"msg":"draining"/);
    expect(replica.output).toMatch(/"msg":"stopped"/);
  });
});
