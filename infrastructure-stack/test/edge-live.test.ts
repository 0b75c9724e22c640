/**
 * The edge in front of the real apps: our nginx configuration (Debian sid's nginx 1.30, see
 * scripts/ci-nginx.sh) proxying the built dbu-web, im-web and is-web processes (services/* /dist,
 * run as deployed) on their own PostgreSQL databases and RabbitMQ vhost. Checks what an operator
 * would: upstream connections reused, gzip, nginx's own errors in JSON with the request id, the
 * caller's request id in DBU's and IM's log lines and in the RabbitMQ message headers, admin paths
 * refused from a foreign address, security headers, and the status page in headless Chromium
 * without CSP errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';
import {
  ADMIN_LOOPBACK,
  SERVER_NAMES as NAMES,
  clientsPerTest,
  renderEdge,
  requestHttps,
  startNginx,
  stopProcess,
  waitForNginx,
  type NginxReply,
  type NginxRequest,
  type RenderedEdge,
} from './support/nginx';
import { REPO_ROOT, describeWithTools, freePort, run, waitFor } from './support/tools';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PG = process.env.PJS_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const RABBIT_API = process.env.PJS_TEST_RABBITMQ_API ?? 'http://guest:guest@127.0.0.1:15672/api';
const RABBIT_AMQP = process.env.PJS_TEST_RABBITMQ ?? 'amqp://guest:guest@127.0.0.1:5672';
const DIST = (svc: string, file: string) => path.join(REPO_ROOT, 'services', svc, 'dist', file);

interface App {
  name: string;
  port: number;
  child: ChildProcess;
  /** The app's stdout: one JSON log line each. */
  out: string[];
}

jest.setTimeout(120_000);

describeWithTools(['nginx', 'openssl', 'psql'], 'the edge in front of the real apps (live)', () => {
  const id = `${process.pid}`;
  const dbs = { dbu: `pjs_edge_dbu_${id}`, im: `pjs_edge_im_${id}` };
  const vhost = `pjs-edge-${id}`;
  const apps: Record<string, App> = {};
  let rendered: RenderedEdge;
  let nginx: ChildProcess | undefined;
  let adminToken = '';
  let imToken = '';
  const captureQueue = `edge-capture-${id}`;

  const rabbit = async (method: string, apiPath: string, body?: unknown): Promise<Response> => {
    const url = new URL(`${RABBIT_API}${apiPath}`);
    const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString(
      'base64',
    );
    url.username = '';
    url.password = '';
    const res = await fetch(url, {
      method,
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`RabbitMQ API ${method} ${apiPath}: ${res.status} ${await res.text()}`);
    return res;
  };

  function env(svc: 'dbu' | 'im', extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: `${PG}/${dbs[svc]}`,
      RABBITMQ_URL: `${RABBIT_AMQP}/${vhost}`,
      TRUST_PROXY: '1',
      ADMIN_ALLOWED_IPS: ADMIN_LOOPBACK,
      INTERNAL_ALLOWED_IPS: '127.0.0.0/8',
      ...extra,
    };
  }

  function cli(svc: 'dbu' | 'im', args: string[], input?: string) {
    const result = run(process.execPath, [DIST(svc, 'cli.js'), ...args], { env: env(svc), input, timeout: 120_000 });
    if (result.status !== 0) throw new Error(`${svc} ${args.join(' ')}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  async function startApp(name: string, script: string, appEnv: NodeJS.ProcessEnv, health: string): Promise<App> {
    const port = await freePort();
    const child = spawn(process.execPath, [script], {
      env: { ...appEnv, PORT: String(port), METRICS_PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app: App = { name, port, child, out: [] };
    let buffer = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      app.out.push(...lines.filter(Boolean));
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${name} exited: ${stderr.slice(-2000)} ${app.out.slice(-5).join('\n')}`);
        const res = await fetch(`http://127.0.0.1:${port}${health}`);
        return res.ok ? true : undefined;
      },
      60_000,
      `${name} to answer ${health}`,
    );
    apps[name] = app;
    return app;
  }

  // nginx rate-limits per client address: no test inherits another's budget.
  const clients = clientsPerTest();

  /** A request from the test's admin address unless `options.localAddress` says otherwise. */
  const https = (host: string, urlPath: string, options: NginxRequest = {}): Promise<NginxReply> =>
    requestHttps(rendered.tls, host, urlPath, { ...options, localAddress: options.localAddress ?? clients().admin });

  /**
   * A TCP relay in front of dbu-web that counts the connections nginx opens to it (bytes pass
   * through untouched): nginx's DBU upstream points here.
   */
  let upstreamConnections = 0;
  let relay: Server | undefined;
  async function startRelay(target: number): Promise<number> {
    const server = createNetServer((client) => {
      upstreamConnections += 1;
      const app = connect(target, '127.0.0.1');
      client.pipe(app).pipe(client);
      const close = () => {
        client.destroy();
        app.destroy();
      };
      client.on('error', close);
      app.on('error', close);
      client.on('close', close);
      app.on('close', close);
    });
    relay = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  beforeAll(async () => {
    for (const svc of ['dbu', 'im', 'is-web']) {
      if (!existsSync(DIST(svc, 'main.js'))) throw new Error(`services/${svc}/dist is missing: run pnpm build`);
    }
    for (const db of Object.values(dbs)) {
      const made = run('psql', [`${PG}/postgres`, '-qc', `CREATE DATABASE ${db}`]);
      if (made.status !== 0) throw new Error(made.stderr);
    }
    await rabbit('PUT', `/vhosts/${vhost}`);
    await rabbit('PUT', `/permissions/${vhost}/guest`, { configure: '.*', write: '.*', read: '.*' });
    cli('dbu', ['migrate']);
    cli('im', ['migrate']);
    adminToken = cli('dbu', ['create-user', 'edge-admin', '--admin']).trim().split('\n').pop() ?? '';
    imToken = cli('im', ['create-user', 'edge-im', '--admin']).trim().split('\n').pop() ?? '';

    const dbu = await startApp('dbu-web', DIST('dbu', 'main.js'), env('dbu'), '/health/');
    const im = await startApp(
      'im-web',
      DIST('im', 'main.js'),
      env('im', {
        DBU_BASE_URL: `http://127.0.0.1:${dbu.port}`,
        DBU_USERNAME: 'edge-admin',
        DBU_PASSWORD: 'not-used-by-this-test',
      }),
      '/health/',
    );
    const is = await startApp(
      'is-web',
      DIST('is-web', 'main.js'),
      {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        TRUST_PROXY: '1',
        IS_STATUS_TARGETS: `dbu-web=http://127.0.0.1:${dbu.port}/health/,im-web=http://127.0.0.1:${im.port}/health/`,
      },
      '/health',
    );

    // Every event of the vhost, to read the headers IM's messages carry.
    await rabbit('PUT', `/exchanges/${vhost}/pjs.events`, { type: 'topic', durable: true });
    await rabbit('PUT', `/queues/${vhost}/${captureQueue}`, { durable: false, auto_delete: false });
    await rabbit('POST', `/bindings/${vhost}/e/pjs.events/q/${captureQueue}`, { routing_key: '#' });

    rendered = await renderEdge(
      { is: `127.0.0.1:${is.port}`, dbu: `127.0.0.1:${await startRelay(dbu.port)}`, im: `127.0.0.1:${im.port}` },
      { allowlists: { admin: ADMIN_LOOPBACK, internal: '127.0.0.0/8', nodeEnv: 'production' } },
    );
    nginx = startNginx(rendered);
    await waitForNginx(
      nginx,
      async () => (await https(NAMES.dbu, '/health/')).status === 200,
      'nginx in front of dbu-web',
      15_000,
    );
  }, 180_000);

  afterAll(async () => {
    await stopProcess(nginx);
    relay?.close();
    for (const app of Object.values(apps)) await stopProcess(app.child);
    await rabbit('DELETE', `/vhosts/${vhost}`).catch(() => undefined);
    for (const db of Object.values(dbs))
      run('psql', [`${PG}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]);
    if (rendered) rmSync(rendered.dir, { recursive: true, force: true });
  });

  const auth = (token: string) => ({ authorization: `Token ${token}` });

  it('reuses upstream connections: 20 client connections to dbu-web, at most 2 upstream connections opened', async () => {
    const before = upstreamConnections;
    // 20 stays inside the api zone's burst however fast the machine is: the first request and 20 more.
    for (let i = 0; i < 20; i += 1) {
      const reply = await https(NAMES.dbu, '/api/products/', { headers: auth(adminToken) });
      expect(reply.status).toBe(200);
    }
    // Without keepalive nginx opens one connection per request (20 here).
    expect(upstreamConnections - before).toBeLessThanOrEqual(2);
    expect(upstreamConnections).toBeGreaterThanOrEqual(1);
  });

  it('negotiates gzip for a JSON answer of dbu-web', async () => {
    const zipped = await https(NAMES.dbu, '/api/docs/openapi.json', { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(zipped.raw).toString())).toHaveProperty('openapi');
  });

  it("carries the caller's request id to DBU's log, IM's log and IM's RabbitMQ message", async () => {
    const dbuId = `edge-live-dbu-${id}`;
    const dbuReply = await https(NAMES.dbu, '/api/products/', {
      headers: { ...auth(adminToken), 'x-request-id': dbuId },
    });
    expect(dbuReply.headers['x-request-id']).toBe(dbuId);
    const imId = `edge-live-im-${id}`;
    const signal = await https(NAMES.im, '/api/signal/', {
      method: 'POST',
      headers: { ...auth(imToken), 'x-request-id': imId, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(signal.status).toBeLessThan(300);
    expect(signal.headers['x-request-id']).toBe(imId);

    const lineWith = (app: string, rid: string) =>
      waitFor(
        async () =>
          apps[app].out.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.request_id === rid),
        10_000,
        `${app} log line with ${rid}`,
      );
    expect(await lineWith('dbu-web', dbuId)).toMatchObject({ service: 'dbu-web', path: '/api/products/', status: 200 });
    expect(await lineWith('im-web', imId)).toMatchObject({ service: 'im-web', path: '/api/signal/' });

    const message = await waitFor(
      async () => {
        const res = await rabbit('POST', `/queues/${vhost}/${captureQueue}/get`, {
          count: 10,
          ackmode: 'ack_requeue_false',
          encoding: 'auto',
        });
        const got = (await res.json()) as { routing_key: string; properties: { headers?: Record<string, string> } }[];
        return got.find((m) => m.properties.headers?.['x-correlation-id'] === imId);
      },
      15_000,
      'the im.sync.requested message',
    );
    expect(message.routing_key).toBe('im.sync.requested');
  });

  it.each([
    [NAMES.dbu, '/api/imports/'],
    [NAMES.dbu, '/api/docs/openapi.json'],
    [NAMES.dbu, '/api/admin/users/'],
    [NAMES.im, '/api/inventory/'],
    [NAMES.im, '/analysis/'],
  ])('refuses the admin path %s%s from a non-allowed address at the edge (JSON 403)', async (host, urlPath) => {
    const reply = await https(host, urlPath, {
      localAddress: clients().foreign,
      headers: { ...auth(adminToken), 'x-request-id': 'edge-live-403' },
    });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toMatchObject({ statusCode: 403, request_id: 'edge-live-403' });
  });

  it('answers 404, 413, 429 and 502 itself in JSON with the request id', async () => {
    const expectJson = (reply: NginxReply, status: number) => {
      expect(reply.status).toBe(status);
      expect(reply.headers['content-type']).toBe('application/json');
      const body = JSON.parse(reply.body) as { statusCode: number; request_id: string };
      expect(body.statusCode).toBe(status);
      expect(body.request_id).toBe(reply.headers['x-request-id']);
    };
    expectJson(await https(NAMES.dbu, '/no/such/route'), 404);
    expectJson(
      await https(NAMES.dbu, '/api/products/', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(11 * 1024 * 1024) },
        body: '{',
      }),
      413,
    );
    let limited: NginxReply | undefined;
    for (let i = 0; i < 12 && !limited; i += 1) {
      const reply = await https(NAMES.dbu, '/api-token-auth/', {
        method: 'POST',
        localAddress: clients().foreign,
        headers: { 'content-type': 'application/json' },
        body: '{"username":"nobody","password":"wrong-password-1"}',
      });
      // nginx's token zone (6r/m, burst 5), not the app's own login throttle: nginx's JSON has no charset.
      if (reply.status === 429 && reply.headers['content-type'] === 'application/json') limited = reply;
    }
    expect(limited).toBeDefined();
    expectJson(limited!, 429);
    // is-web stopped: the status server's upstream refuses connections.
    await stopProcess(apps['is-web'].child);
    expectJson(await https(NAMES.status, '/status'), 502);
  });

  it('sends the security headers on app answers and on its own', async () => {
    for (const reply of [
      await https(NAMES.dbu, '/api/products/', { headers: auth(adminToken) }),
      await https(NAMES.dbu, '/no/such/route'),
    ]) {
      expect(reply.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
      // Once each: the apps' own copies are hidden behind nginx's.
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['content-security-policy']).toBeDefined();
      expect(String(reply.headers['content-security-policy'])).not.toContain(', ');
      expect(reply.headers['referrer-policy']).toBeDefined();
      expect(reply.headers.server).toBe('nginx');
    }
  });
});

describeWithTools(['nginx', 'openssl', 'chromium'], 'the status page through nginx in headless Chromium', () => {
  let rendered: RenderedEdge;
  let nginx: ChildProcess | undefined;
  let isWeb: ChildProcess | undefined;
  let browser: BrowserContext | undefined;
  let profileDir: string;
  let httpsPort: number;

  beforeAll(async () => {
    const isPort = await freePort();
    isWeb = spawn(process.execPath, [DIST('is-web', 'main.js')], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: String(isPort),
        TRUST_PROXY: '1',
        IS_STATUS_TARGETS: `self=http://127.0.0.1:${isPort}/health,gone=tcp://127.0.0.1:1`,
      },
      stdio: 'ignore',
    });
    await waitFor(
      async () => ((await fetch(`http://127.0.0.1:${isPort}/health`)).ok ? true : undefined),
      30_000,
      'is-web',
    );
    rendered = await renderEdge({ is: `127.0.0.1:${isPort}`, dbu: '127.0.0.1:9', im: '127.0.0.1:9' });
    httpsPort = rendered.ports.https;
    nginx = startNginx(rendered);
    profileDir = mkdtempSync(path.join(tmpdir(), 'pjs-status-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      ignoreHTTPSErrors: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        `--host-resolver-rules=MAP ${NAMES.status} 127.0.0.1`,
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stopProcess(nginx);
    await stopProcess(isWeb);
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    if (rendered) rmSync(rendered.dir, { recursive: true, force: true });
  });

  it('renders with its own style and no CSP violation or other console error', async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    const response = await page.goto(`https://${NAMES.status}:${httpsPort}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("style-src 'sha256-");
    await page.locator('h1 span').waitFor();
    // The inline style sheet applied: the overall state has its coloured badge.
    const background = await page.locator('h1 span').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).not.toBe('rgba(0, 0, 0, 0)');
    const text = await page.content();
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('/metrics');
    expect(problems).toEqual([]);
  });
});
