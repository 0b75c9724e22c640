/**
 * Our nginx configuration under test: rendered as the image renders it, run in the foreground, in
 * front of stand-in apps, and asked over HTTPS, HTTP and bare TLS as a client would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type AddressInfo } from 'node:net';
import { userInfo, tmpdir } from 'node:os';
import path from 'node:path';
import { connect as tlsConnect, type SecureVersion } from 'node:tls';
import { INFRA_DIR, freePort, run, waitFor, which } from './tools';

/** The names of our three sites in tests; the certificate renderEdge makes covers all three. */
export const SERVER_NAMES = { status: 'status.pjs.test', dbu: 'dbu.pjs.test', im: 'im.pjs.test' } as const;

export interface NginxPorts {
  http: number;
  https: number;
  status: number;
}

export interface RenderedNginx {
  dir: string;
  confFile: string;
  certFile: string;
  keyFile: string;
  acmeRoot: string;
  accessLog: string;
  errorLog: string;
}

/**
 * What the official image's 20-envsubst-on-templates.sh does with NGINX_ENVSUBST_FILTER="^PJS_":
 * replaces ${VAR} / $VAR for defined variables whose name matches the filter, nothing else.
 */
export function envsubst(text: string, vars: Record<string, string>, filter = /^PJS_/): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, bare?: string) => {
      const name = braced ?? bare ?? '';
      return filter.test(name) && name in vars ? (vars[name] ?? '') : whole;
    },
  );
}

/**
 * A runnable copy of infrastructure-stack/nginx in a temp dir: templates rendered with the
 * given variables, a self-signed certificate for the server names, and the few host paths
 * (user, pid, logs, temp dirs) moved into the temp dir. Upstreams and names are whatever
 * `vars` says; everything else is our configuration unchanged.
 */
export interface RenderOptions {
  /** ADMIN_ALLOWED_IPS / INTERNAL_ALLOWED_IPS / NODE_ENV given to entrypoint/15-pjs-allowlists.sh. */
  allowlists?: { admin?: string; internal?: string; nodeEnv?: string };
  /** `host:port` of the DNS server nginx resolves upstreams with (Docker's 127.0.0.11 in production). */
  resolver?: string;
}

export function renderNginx(
  vars: Record<string, string>,
  serverNames: string[],
  options: RenderOptions = {},
): RenderedNginx {
  const dir = mkdtempSync(path.join(tmpdir(), 'pjs-nginx-'));
  const conf = path.join(dir, 'conf');
  cpSync(path.join(INFRA_DIR, 'nginx'), conf, { recursive: true });
  const mime = '/etc/nginx/mime.types';
  writeFileSync(
    path.join(conf, 'mime.types'),
    existsSync(mime) ? readFileSync(mime) : 'types { text/html html; text/plain txt; application/json json; }\n',
  );

  const tls = path.join(dir, 'tls');
  const acmeRoot = path.join(dir, 'acme');
  const logs = path.join(dir, 'logs');
  for (const d of [tls, acmeRoot, logs, path.join(dir, 'temp'), path.join(dir, 'cache'), path.join(conf, 'conf.d')])
    mkdirSync(d, { recursive: true });
  const certFile = path.join(tls, 'fullchain.pem');
  const keyFile = path.join(tls, 'privkey.pem');
  const san = serverNames.map((n) => `DNS:${n}`).join(',');
  const gen = run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=pjs-test',
    '-addext',
    `subjectAltName=${san}`,
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  if (gen.status !== 0) throw new Error(`openssl failed: ${gen.stderr}`);

  const allVars = { ...vars, PJS_TLS_DIR: tls, PJS_ACME_ROOT: acmeRoot };
  for (const file of readdirSync(path.join(conf, 'templates'))) {
    if (!file.endsWith('.template')) continue;
    // Caches under /var/cache/nginx (a tmpfs in the container) live in the temp dir here.
    const text = envsubst(readFileSync(path.join(conf, 'templates', file), 'utf8'), allVars).replaceAll(
      '/var/cache/nginx/',
      `${path.join(dir, 'cache')}/`,
    );
    const left = /\$\{?PJS_[A-Z0-9_]+/.exec(text);
    if (left) throw new Error(`${file}: variable ${left[0]} not provided`);
    writeFileSync(path.join(conf, 'conf.d', file.replace(/\.template$/, '')), text);
  }

  // The allowlists, rendered by the container's own entrypoint script from the apps' settings.
  const lists = options.allowlists ?? { admin: '127.0.0.1', internal: '', nodeEnv: 'development' };
  const rendering = run('sh', [path.join(conf, 'entrypoint', '15-pjs-allowlists.sh')], {
    env: {
      PATH: process.env.PATH,
      PJS_ALLOWLIST_DIR: path.join(conf, 'conf.d', 'allowlists'),
      PJS_ADMIN_ALLOWED_IPS: lists.admin ?? '',
      PJS_INTERNAL_ALLOWED_IPS: lists.internal ?? '',
      PJS_NODE_ENV: lists.nodeEnv ?? 'production',
    },
  });
  if (rendering.status !== 0) throw new Error(`15-pjs-allowlists.sh failed: ${rendering.stderr}`);

  const accessLog = path.join(logs, 'access.log');
  const errorLog = path.join(logs, 'error.log');
  const user = userInfo().uid === 0 ? 'user root;' : '';
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `    ${t}_temp_path ${path.join(dir, 'temp', t)};`)
    .join('\n');
  let main = readFileSync(path.join(conf, 'nginx.conf'), 'utf8');
  const replace = (from: RegExp, to: string) => {
    if (!from.test(main)) throw new Error(`nginx.conf no longer matches ${String(from)}; update the test renderer`);
    main = main.replace(from, to);
  };
  replace(/^user nginx;$/m, user);
  replace(/^pid .*;$/m, `pid ${path.join(dir, 'nginx.pid')};`);
  replace(/^error_log \/var\/log\/nginx\/error\.log (\w+);$/m, `error_log ${errorLog} $1;`);
  replace(/access_log \/var\/log\/nginx\/access\.log json;/, `access_log ${accessLog} json;`);
  replace(/^http \{$/m, `http {\n${temp}`);
  replace(/^ {4}resolver 127\.0\.0\.11 /m, `    resolver ${options.resolver ?? '127.0.0.11'} `);
  const confFile = path.join(conf, 'nginx.conf');
  writeFileSync(confFile, main);
  return { dir, confFile, certFile, keyFile, acmeRoot, accessLog, errorLog };
}

export function nginxBinary(): string {
  const bin = which('nginx');
  if (!bin) throw new Error('nginx not installed');
  return bin;
}

/** `nginx -t` on a rendered copy. */
export function nginxTest(rendered: RenderedNginx) {
  return run(nginxBinary(), ['-t', '-p', rendered.dir, '-e', rendered.errorLog, '-c', rendered.confFile]);
}

/** Starts nginx in the foreground (daemon off) so the test owns the process. */
export function startNginx(rendered: RenderedNginx): ChildProcess {
  return spawn(
    nginxBinary(),
    ['-p', rendered.dir, '-e', rendered.errorLog, '-c', rendered.confFile, '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** Stops nginx (graceful quit, then kill) and waits for it to exit. */
export async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** `host:port` each site's upstream points at (PJS_UPSTREAM_*). */
export interface EdgeUpstreams {
  is: string;
  dbu: string;
  im: string;
}

export interface EdgeOptions extends RenderOptions {
  /** Chosen beforehand when something must know the HTTPS port before nginx is rendered. */
  ports?: NginxPorts;
}

/** Where nginx serves HTTPS on loopback, and the certificate renderNginx made for it. */
export interface TlsEndpoint {
  port: number;
  ca: string;
}

/** A rendered edge with where it listens and what a client trusts to reach it over TLS. */
export interface RenderedEdge extends RenderedNginx {
  ports: NginxPorts;
  tls: TlsEndpoint;
}

/** Ports for nginx's HTTP, HTTPS and status listeners, each free a moment ago. */
export async function freeNginxPorts(): Promise<NginxPorts> {
  return { http: await freePort(), https: await freePort(), status: await freePort() };
}

/** renderNginx for our three sites, named as SERVER_NAMES, on free ports unless given. */
export async function renderEdge(upstreams: EdgeUpstreams, options: EdgeOptions = {}): Promise<RenderedEdge> {
  const ports = options.ports ?? (await freeNginxPorts());
  const rendered = renderNginx(
    {
      PJS_HTTP_PORT: String(ports.http),
      PJS_HTTPS_PORT: String(ports.https),
      PJS_STATUS_PORT: String(ports.status),
      PJS_SERVER_NAME_STATUS: SERVER_NAMES.status,
      PJS_SERVER_NAME_DBU: SERVER_NAMES.dbu,
      PJS_SERVER_NAME_IM: SERVER_NAMES.im,
      PJS_UPSTREAM_IS: upstreams.is,
      PJS_UPSTREAM_DBU: upstreams.dbu,
      PJS_UPSTREAM_IM: upstreams.im,
    },
    Object.values(SERVER_NAMES),
    options,
  );
  return { ...rendered, ports, tls: { port: ports.https, ca: readFileSync(rendered.certFile, 'utf8') } };
}

/**
 * Polls `ready` until it holds. nginx's stderr is kept so that, if nginx has exited (a bad
 * configuration, a port taken), the timeout says why.
 */
export async function waitForNginx(
  nginx: ChildProcess,
  ready: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  let stderr = '';
  nginx.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitFor(
    async () => {
      if (nginx.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
      return (await ready()) ? true : undefined;
    },
    timeoutMs,
    what,
  );
}

/** An HTTP server on a free loopback port, standing in for an app behind nginx. */
export async function startStandIn(handler: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  // Longer than nginx's upstream keepalive_timeout (60 s), as Fastify's default (72 s) is in the
  // apps: Node's 5 s would close idle connections nginx still reuses, a 502 on a slow machine.
  server.keepAliveTimeout = 75_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Closes stand-ins at once: nginx still holds idle keep-alive connections to them. */
export async function closeStandIns(servers: readonly Server[]): Promise<void> {
  const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
  for (const s of servers) s.closeAllConnections();
  await Promise.all(closed);
}

/** The admin allowlist that makes every address `freshClients().admin` hands out an admin address. */
export const ADMIN_LOOPBACK = '127.0.0.0/16';

export interface LoopbackClients {
  /** Inside ADMIN_LOOPBACK. */
  admin: string;
  /** Outside the admin allowlist. */
  foreign: string;
  /** A second foreign client, to show that one client's limit is not another's. */
  bystander: string;
}

let clientSerial = 0;

/**
 * Loopback client addresses no earlier call handed out. nginx keeps its rate zones per client
 * address, so tests that share an address share a budget: on a fast machine one test's requests
 * turn the next test's into 429s. A test that takes its own addresses starts with a full budget.
 */
export function freshClients(): LoopbackClients {
  clientSerial += 1;
  const host = `${1 + Math.floor(clientSerial / 250)}.${1 + (clientSerial % 250)}`;
  return { admin: `127.0.${host}`, foreign: `127.1.${host}`, bystander: `127.2.${host}` };
}

/**
 * Fresh addresses for every test of the calling describe block (a beforeEach): the returned
 * function answers the current test's. Before the first test (beforeAll) it answers a set too.
 */
export function clientsPerTest(): () => LoopbackClients {
  let current = freshClients();
  beforeEach(() => {
    current = freshClients();
  });
  return () => current;
}

export interface NginxReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

export interface NginxRequest {
  method?: string;
  /** A loopback address of the client's own: outside the admin allowlist, or a rate zone apart. */
  localAddress?: string;
  headers?: Record<string, string>;
  body?: string;
}

function collect(res: IncomingMessage, resolve: (reply: NginxReply) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (d: Buffer) => chunks.push(d));
  res.on('end', () => {
    const raw = Buffer.concat(chunks);
    resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString(), raw });
  });
}

/** A request to the site `host` (SNI and Host) over a connection of its own. */
export function requestHttps(
  endpoint: TlsEndpoint,
  host: string,
  urlPath: string,
  options: NginxRequest = {},
): Promise<NginxReply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: endpoint.port,
        servername: host,
        path: urlPath,
        method: options.method ?? 'GET',
        headers: { host, ...(options.headers ?? {}) },
        localAddress: options.localAddress,
        ca: endpoint.ca,
        agent: false,
      },
      (res) => collect(res, resolve),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A plain-HTTP GET on loopback; without `host`, Node's default Host (127.0.0.1:port). */
export function requestHttp(port: number, urlPath: string, host?: string): Promise<NginxReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: urlPath, headers: host === undefined ? {} : { host }, agent: false },
      (res) => collect(res, resolve),
    );
    req.on('error', reject);
    req.end();
  });
}

/** A handshake offering only `version`: `ok:<protocol negotiated>` or `error:<code>`. */
export function tlsHandshake(endpoint: TlsEndpoint, servername: string, version: SecureVersion): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: endpoint.port,
      servername,
      ca: endpoint.ca,
      minVersion: version,
      maxVersion: version,
      // Let the client offer old protocols at all (OpenSSL 3 refuses TLS < 1.2 at level 1).
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    socket.once('secureConnect', () => {
      const negotiated = socket.getProtocol() ?? 'unknown';
      socket.end();
      resolve(`ok:${negotiated}`);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(`error:${err.code ?? err.message}`));
  });
}
