import { type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { removeSampleEnvs, requiredVars, sampleEnv } from './support/compose';
import { SERVER_NAMES, nginxBinary, renderEdge, startNginx, stopProcess, type RenderedEdge } from './support/nginx';
import { ShimDir } from './support/shims';
import { COMPOSE_DIR, SCRIPTS_DIR, describeWithTools, run, runAsync, waitFor } from './support/tools';

const OBTAIN = path.join(SCRIPTS_DIR, 'obtain_cert.sh');
const RELOAD = path.join(SCRIPTS_DIR, 'reload_nginx.sh');
const CHECK = path.join(SCRIPTS_DIR, 'check_env.sh');
const NAME = SERVER_NAMES.dbu;

function newCert(dir: string, cn: string): { cert: string; key: string } {
  const cert = path.join(dir, `${cn}.crt`);
  const key = path.join(dir, `${cn}.key`);
  const r = run('openssl', [
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
    `/CN=${cn}`,
    '-addext',
    `subjectAltName=DNS:${NAME}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  if (r.status !== 0) throw new Error(r.stderr);
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

describeWithTools(
  ['nginx', 'openssl'],
  'obtain_cert.sh and reload_nginx.sh (fake certbot and docker, real nginx)',
  () => {
    let rendered: RenderedEdge;
    let nginx: ChildProcess | undefined;
    let httpsPort: number;
    let shims: ShimDir;
    let le: string;
    let webroot: string;

    /** Common name of the certificate nginx presents for NAME. */
    const servedCert = () =>
      new Promise<string>((resolve, reject) => {
        const socket = tlsConnect(
          { host: '127.0.0.1', port: httpsPort, servername: NAME, rejectUnauthorized: false },
          () => {
            const cn: string | string[] | undefined = socket.getPeerCertificate().subject?.CN;
            resolve(Array.isArray(cn) ? cn.join(',') : (cn ?? ''));
            socket.end();
          },
        );
        socket.on('error', reject);
      });

    const env = (extra: Record<string, string> = {}) =>
      shims.env({ LETSENCRYPT_DIR: le, CERTBOT_WEBROOT: webroot, CERTBOT_EMAIL: 'ops@pjs.test', ...extra });

    beforeAll(async () => {
      rendered = await renderEdge({ is: '127.0.0.1:9', dbu: '127.0.0.1:9', im: '127.0.0.1:9' });
      httpsPort = rendered.ports.https;
      const first = newCert(rendered.dir, 'first-cert');
      writeFileSync(rendered.certFile, first.cert);
      writeFileSync(rendered.keyFile, first.key);
      nginx = startNginx(rendered);
      await waitFor(
        async () => ((await servedCert()) === 'first-cert' ? true : undefined),
        10_000,
        'nginx with the first certificate',
      );
    });

    afterAll(async () => {
      await stopProcess(nginx);
      if (rendered) rmSync(rendered.dir, { recursive: true, force: true });
    });

    beforeEach(() => {
      shims = new ShimDir();
      le = path.join(shims.dir, 'letsencrypt');
      webroot = path.join(shims.dir, 'www');
      // `docker exec nginx nginx ARGS` runs the real nginx against the running test instance.
      shims.fake(
        'docker',
        `printf '%s\\n' "$*" >> ${JSON.stringify(shims.log('docker'))}
if [[ $1 != exec || $2 != nginx || $3 != nginx ]]; then echo "fake docker: unsupported: $*" >&2; exit 125; fi
shift 3
exec ${JSON.stringify(nginxBinary())} -p ${JSON.stringify(rendered.dir)} -e ${JSON.stringify(rendered.errorLog)} -c ${JSON.stringify(rendered.confFile)} "$@"
`,
      );
      // certbot: records its arguments, answers the HTTP-01 challenge into the webroot, writes the
      // lineage like certbot does and runs the deploy hook with RENEWED_LINEAGE / RENEWED_DOMAINS.
      shims.fake(
        'certbot',
        `printf '%s\\n' "$*" >> ${JSON.stringify(shims.log('certbot'))}
[[ -z \${FAKE_CERTBOT_FAIL:-} ]] || { echo "Challenge failed for domain $FAKE_CERTBOT_FAIL" >&2; exit 1; }
config=/etc/letsencrypt; name=""; webroot=""; hook=""; domains=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --config-dir) config=$2; shift 2 ;;
    --cert-name) name=$2; shift 2 ;;
    --webroot-path) webroot=$2; shift 2 ;;
    --deploy-hook) hook=$2; shift 2 ;;
    -d) domains+=("$2"); shift 2 ;;
    *) shift ;;
  esac
done
if [[ -e $config/live/$name ]]; then echo "live directory exists for $name" >&2; exit 1; fi
mkdir -p "$webroot/.well-known/acme-challenge" "$config/live/$name" "$config/renewal"
echo token > "$webroot/.well-known/acme-challenge/fake-token"
san=$(printf 'DNS:%s,' "\${domains[@]}")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 90 -subj "/CN=lets-encrypt-fake" \\
  -addext "subjectAltName=\${san%,}" -keyout "$config/live/$name/privkey.pem" -out "$config/live/$name/fullchain.pem" 2>/dev/null
printf 'renew_hook = %s\\n' "$hook" > "$config/renewal/$name.conf"
RENEWED_LINEAGE=$config/live/$name RENEWED_DOMAINS="\${domains[*]}" "$hook"
`,
      );
    });

    afterEach(() => rmSync(shims.dir, { recursive: true, force: true }));

    describe('reload_nginx.sh', () => {
      it('checks the configuration, reloads nginx and nginx then serves the renewed certificate', async () => {
        const renewed = newCert(rendered.dir, 'renewed-cert');
        writeFileSync(rendered.certFile, renewed.cert);
        writeFileSync(rendered.keyFile, renewed.key);
        const result = await runAsync('bash', [RELOAD], {
          env: shims.env({ RENEWED_LINEAGE: '/etc/letsencrypt/live/dbu', RENEWED_DOMAINS: NAME }),
        });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        expect(result.stdout).toContain('certificate renewed: /etc/letsencrypt/live/dbu');
        expect(result.stdout).toContain('nginx configuration OK, reloaded');
        expect(readFileSync(shims.log('docker'), 'utf8').trim().split('\n')).toEqual([
          'exec nginx nginx -t',
          'exec nginx nginx -s reload',
        ]);
        await waitFor(
          async () => ((await servedCert()) === 'renewed-cert' ? true : undefined),
          10_000,
          'the renewed certificate',
        );
      });

      it('does not reload a broken configuration and nginx keeps serving', async () => {
        const before = await servedCert();
        const good = readFileSync(rendered.certFile, 'utf8');
        writeFileSync(rendered.certFile, 'not a certificate\n');
        try {
          const result = await runAsync('bash', [RELOAD], { env: shims.env() });
          expect(result.status).toBe(1);
          expect(result.stderr).toContain('nginx configuration test failed; nginx NOT reloaded');
          expect(result.stderr).toMatch(/PEM|certificate/);
          expect(readFileSync(shims.log('docker'), 'utf8')).not.toContain('-s reload');
          expect(await servedCert()).toBe(before);
          expect(nginx?.exitCode).toBeNull();
        } finally {
          writeFileSync(rendered.certFile, good);
        }
      });

      it('honours NGINX_CMD and reports a missing command', async () => {
        const custom = await runAsync('bash', [RELOAD], {
          env: shims.env({
            NGINX_CMD: `${nginxBinary()} -p ${rendered.dir} -e ${rendered.errorLog} -c ${rendered.confFile}`,
          }),
        });
        expect(custom.stderr).toBe('');
        expect(custom.status).toBe(0);
        const missing = await runAsync('bash', [RELOAD], {
          env: shims.env({ NGINX_CMD: 'no-such-docker exec nginx nginx' }),
        });
        expect(missing.status).toBe(1);
        expect(missing.stderr).toContain("'no-such-docker' not found");
      });
    });

    describe('obtain_cert.sh', () => {
      it('writes a self-signed placeholder so nginx can start before the first certificate', async () => {
        const result = await runAsync('bash', [OBTAIN, '--self-signed', NAME, 'im.pjs.test'], { env: env() });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        const live = path.join(le, 'live', NAME);
        expect(readdirSync(live).sort()).toEqual(['.pjs-self-signed', 'chain.pem', 'fullchain.pem', 'privkey.pem']);
        expect(statSync(path.join(live, 'privkey.pem')).mode & 0o777).toBe(0o600);
        const text = run('openssl', [
          'x509',
          '-in',
          path.join(live, 'fullchain.pem'),
          '-noout',
          '-ext',
          'subjectAltName',
        ]).stdout;
        expect(text).toContain(`DNS:${NAME}`);
        expect(text).toContain('DNS:im.pjs.test');
      });

      it('replaces the placeholder with a certificate from certbot (webroot) and reloads nginx through the deploy hook', async () => {
        expect((await runAsync('bash', [OBTAIN, '--self-signed', NAME], { env: env() })).status).toBe(0);
        const result = await runAsync('bash', [OBTAIN, NAME, 'im.pjs.test'], { env: env() });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        const args = readFileSync(shims.log('certbot'), 'utf8').trim();
        expect(args).toBe(
          `certonly --non-interactive --agree-tos --email ops@pjs.test --webroot --webroot-path ${webroot} --config-dir ${le} ` +
            `--cert-name ${NAME} --keep-until-expiring --expand --deploy-hook ${RELOAD} -d ${NAME} -d im.pjs.test`,
        );
        const live = path.join(le, 'live', NAME);
        expect(existsSync(path.join(live, '.pjs-self-signed'))).toBe(false);
        expect(
          run('openssl', ['x509', '-in', path.join(live, 'fullchain.pem'), '-noout', '-subject']).stdout,
        ).toContain('lets-encrypt-fake');
        expect(readFileSync(path.join(le, 'renewal', `${NAME}.conf`), 'utf8')).toContain(`renew_hook = ${RELOAD}`);
        expect(readdirSync(le).filter((f) => f.startsWith('.placeholder'))).toEqual([]);
        // The deploy hook ran: nginx was tested and reloaded.
        expect(readFileSync(shims.log('docker'), 'utf8').trim().split('\n')).toEqual([
          'exec nginx nginx -t',
          'exec nginx nginx -s reload',
        ]);
        expect(result.stdout).toContain(`certificate for ${NAME} im.pjs.test is in ${live}`);
      });

      it('puts the placeholder back when certbot fails, so nginx can still (re)start', async () => {
        expect((await runAsync('bash', [OBTAIN, '--self-signed', NAME], { env: env() })).status).toBe(0);
        const before = readFileSync(path.join(le, 'live', NAME, 'fullchain.pem'), 'utf8');
        const result = await runAsync('bash', [OBTAIN, '--staging', NAME], { env: env({ FAKE_CERTBOT_FAIL: NAME }) });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(`certbot failed for ${NAME}`);
        expect(result.stdout).toContain('self-signed placeholder restored');
        expect(readFileSync(path.join(le, 'live', NAME, 'fullchain.pem'), 'utf8')).toBe(before);
        expect(readFileSync(shims.log('certbot'), 'utf8')).toContain('--staging');
        expect(existsSync(shims.log('docker'))).toBe(false);
      });

      it('never replaces a real certificate with a self-signed one', async () => {
        mkdirSync(path.join(le, 'live', NAME), { recursive: true });
        writeFileSync(path.join(le, 'live', NAME, 'fullchain.pem'), 'real');
        const result = await runAsync('bash', [OBTAIN, '--self-signed', NAME], { env: env() });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain('already holds a real certificate');
      });

      it('asks for an e-mail address and a valid one', async () => {
        const noMail = await runAsync('bash', [OBTAIN, NAME], { env: env({ CERTBOT_EMAIL: '' }) });
        expect(noMail.status).toBe(2);
        expect(noMail.stderr).toContain('missing --email');
        const bad = await runAsync('bash', [OBTAIN, '-e', 'nope', NAME], { env: env() });
        expect(bad.status).toBe(2);
        expect(bad.stderr).toContain("invalid e-mail address 'nope'");
      });
    });
  },
);

describe('check_env.sh', () => {
  const stack = 'dbu' as const;

  afterAll(() => removeSampleEnvs());

  it('passes when every required variable is set (values never printed)', async () => {
    const values = sampleEnv(stack);
    const result = await runAsync('bash', [CHECK, stack], { env: { PATH: process.env.PATH, ...values } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`${stack}: all ${requiredVars(stack).length} required variables set`);
    for (const v of Object.values(values)) expect(result.stdout).not.toContain(v);
  });

  it('names every missing variable and fails', async () => {
    const values = sampleEnv(stack);
    delete values.PJS_IMAGE_TAG;
    delete values.DBU_APPROLE_DIR;
    const result = await runAsync('bash', [CHECK, stack], { env: { PATH: process.env.PATH, ...values } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing: PJS_IMAGE_TAG - release of pjs/dbu to run');
    expect(result.stderr).toContain('missing: DBU_APPROLE_DIR');
    expect(result.stderr).toContain(`2 of ${requiredVars(stack).length} required variables missing or invalid`);
  });

  it('checks that file and dir variables name existing paths, relative to the stack directory', async () => {
    const values = sampleEnv(stack);
    values.DBU_POSTGRES_PASSWORD_FILE = './secrets/does-not-exist';
    values.VAULT_CACERT_FILE = './dev-secrets/vault-ca.crt';
    const result = await runAsync('bash', [CHECK, stack], { env: { PATH: process.env.PATH, ...values } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'DBU_POSTGRES_PASSWORD_FILE names a file that does not exist or is not readable: ./secrets/does-not-exist',
    );
    expect(result.stderr).not.toContain('VAULT_CACERT_FILE');
  });

  it('reads the stack .env (as docker-compose does); the environment wins', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pjs-check-'));
    try {
      cpSync(COMPOSE_DIR, path.join(dir, 'compose'), { recursive: true });
      const values = sampleEnv(stack);
      const lines = Object.entries(values).map(([k, v]) => `${k}="${v}"`);
      writeFileSync(path.join(dir, 'compose', stack, '.env'), `# prod\nexport ${lines.join('\n')}\nPJS_IMAGE_TAG=\n`);
      const env = { PATH: process.env.PATH, COMPOSE_DIR: path.join(dir, 'compose') };
      const fromFile = await runAsync('bash', [CHECK, stack], { env });
      expect(fromFile.stderr).toContain('missing: PJS_IMAGE_TAG');
      const withEnv = await runAsync('bash', [CHECK, stack], { env: { ...env, PJS_IMAGE_TAG: '2.0.0' } });
      expect(withEnv.stderr).toBe('');
      expect(withEnv.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
