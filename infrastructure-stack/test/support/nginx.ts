import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import path from 'node:path';
import { INFRA_DIR, run, which } from './tools';

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
