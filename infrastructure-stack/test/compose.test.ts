import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  cleanEnv,
  commandOf,
  composeArgs,
  composeConfig,
  composeFiles,
  dependsOn,
  networksOf,
  parsePort,
  parseVolume,
  removeSampleEnvs,
  requiredVars,
  sampleEnv,
  type ComposeModel,
  type Mode,
} from './support/compose';
import { listFiles, readYaml } from './support/files';
import { credentialFiles } from './support/prometheus';
import { COMPOSE_DIR, INFRA_DIR, REPO_ROOT, run, STACKS, describeWithTools, type Stack } from './support/tools';

const MODES: Mode[] = ['dev', 'prod'];
const APP_IMAGES: Record<string, { image: string; dockerfile: string }> = {
  'is-web': { image: 'pjs/is-web', dockerfile: 'services/is-web/Dockerfile' },
  dbu: { image: 'pjs/dbu', dockerfile: 'services/dbu/Dockerfile' },
  im: { image: 'pjs/im', dockerfile: 'services/im/Dockerfile' },
};
/** The processes of contracts.md, by compose service. */
const PROCESSES: Record<string, { command: string; port?: string; metricsPort?: string }> = {
  'is-web': { command: 'node dist/main.js', port: '8000' },
  'dbu-web': { command: 'node dist/main.js', port: '8000' },
  'dbu-worker': { command: 'node dist/worker.js', metricsPort: '9101' },
  'dbu-cleanup': { command: 'node dist/cleanup.js' },
  'dbu-migrate': { command: 'node dist/cli.js migrate' },
  'im-web': { command: 'node dist/main.js', port: '8000' },
  'im-worker': { command: 'node dist/worker.js', metricsPort: '9102' },
  'im-migrate': { command: 'node dist/cli.js migrate' },
};

describeWithTools(['docker-compose'], 'compose stacks', () => {
  const models = new Map<string, ComposeModel>();
  const envs = new Map<Stack, Record<string, string>>();
  const model = (stack: Stack, mode: Mode) => models.get(`${stack}/${mode}`)!;

  beforeAll(() => {
    for (const stack of STACKS) {
      envs.set(stack, sampleEnv(stack));
      for (const mode of MODES) models.set(`${stack}/${mode}`, composeConfig(stack, mode, envs.get(stack)!));
    }
  });

  afterAll(() => removeSampleEnvs());

  describe.each(STACKS)('%s', (stack) => {
    it.each(MODES)('is valid for docker-compose 1.29 (config -q, %s)', (mode) => {
      const result = run('docker-compose', composeArgs(mode, 'config', '-q'), {
        cwd: path.join(COMPOSE_DIR, stack),
        env: cleanEnv(envs.get(stack)!),
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it.each(MODES)(
      'gives every service a healthcheck, restart policy, limits, log rotation and no-new-privileges (%s)',
      (mode) => {
        const m = model(stack, mode);
        const problems: string[] = [];
        const completedBy = new Set(
          Object.values(m.services).flatMap((s) =>
            Object.entries(dependsOn(s))
              .filter(([, c]) => c === 'service_completed_successfully')
              .map(([d]) => d),
          ),
        );
        for (const [name, s] of Object.entries(m.services)) {
          const oneShot = s.restart === 'no';
          if (s.healthcheck?.disable) {
            if (!(oneShot && completedBy.has(name))) problems.push(`${name}: healthcheck disabled but not a one-shot`);
          } else if (!s.healthcheck?.test || s.healthcheck.test.length === 0) problems.push(`${name}: no healthcheck`);
          if (!s.restart) problems.push(`${name}: no restart policy`);
          if (!oneShot && s.restart !== 'unless-stopped' && s.restart !== 'always')
            problems.push(`${name}: restart ${s.restart}`);
          if (!s.mem_limit) problems.push(`${name}: no mem_limit`);
          if (!s.cpus) problems.push(`${name}: no cpus limit`);
          if (!s.pids_limit) problems.push(`${name}: no pids_limit`);
          if (s.logging?.driver !== 'json-file' || !s.logging.options?.['max-size'] || !s.logging.options['max-file']) {
            problems.push(`${name}: no json-file log rotation`);
          }
          if (!s.security_opt?.includes('no-new-privileges:true')) problems.push(`${name}: no no-new-privileges`);
          if (!s.labels?.['pjs.project']) problems.push(`${name}: no pjs.project label (Vector's project label)`);
        }
        expect(problems).toEqual([]);
      },
    );

    it.each(MODES)('declares every network, volume and dependency it uses (%s)', (mode) => {
      const m = model(stack, mode);
      const problems: string[] = [];
      const networks = Object.keys(m.networks ?? {});
      const volumes = Object.keys(m.volumes ?? {});
      for (const [name, s] of Object.entries(m.services)) {
        for (const n of networksOf(s)) if (!networks.includes(n)) problems.push(`${name}: undeclared network ${n}`);
        if (networksOf(s).length === 0) problems.push(`${name}: on the default network`);
        for (const v of s.volumes ?? []) {
          const { source } = parseVolume(v);
          if (!source.startsWith('/') && !source.startsWith('.') && !volumes.includes(source)) {
            problems.push(`${name}: undeclared volume ${source}`);
          }
        }
        for (const d of Object.keys(dependsOn(s)))
          if (!m.services[d]) problems.push(`${name}: depends on unknown ${d}`);
      }
      expect(problems).toEqual([]);
    });

    it.each(MODES)('mounts configuration read-only (%s)', (mode) => {
      const m = model(stack, mode);
      const writable: string[] = [];
      for (const [name, s] of Object.entries(m.services)) {
        for (const v of s.volumes ?? []) {
          const { source, target, mode: access } = parseVolume(v);
          const isConfig =
            source.startsWith(INFRA_DIR) ||
            source.startsWith(path.join(COMPOSE_DIR, stack)) ||
            source === '/var/run/docker.sock';
          // The Vault Agent deletes the wrapped secret id after reading it: its only writable bind mount.
          if (isConfig && access !== 'ro' && target !== '/vault/approle') writable.push(`${name}: ${v}`);
        }
      }
      expect(writable).toEqual([]);
    });

    it.each(MODES)(
      'publishes only nginx (80/443), Grafana on VPN_BIND_IP and, in prod, Vault on loopback (%s)',
      (mode) => {
        const m = model(stack, mode);
        const published: string[] = [];
        for (const [name, s] of Object.entries(m.services)) {
          for (const p of s.ports ?? []) {
            const { hostIp, published: pub, target } = parsePort(p);
            published.push(`${name} ${hostIp}:${pub}->${target}`);
          }
        }
        const expected: Record<Stack, string[]> = {
          'infrastructure-stack': [
            'nginx 0.0.0.0:80->80',
            'nginx 0.0.0.0:443->443',
            'grafana 10.8.0.1:3000->3000',
            ...(mode === 'prod' ? ['vault 127.0.0.1:8200->8200'] : []),
          ],
          dbu: [],
          im: [],
        };
        expect(published.sort()).toEqual(expected[stack].sort());
      },
    );

    it.each(MODES)('runs the app images by command, migrations first (%s)', (mode) => {
      const m = model(stack, mode);
      for (const [name, s] of Object.entries(m.services)) {
        const proc = PROCESSES[name];
        if (!proc) continue;
        const app = name === 'is-web' ? 'is-web' : name.split('-')[0];
        const { image, dockerfile } = APP_IMAGES[app];
        expect(s.image).toBe(`${image}:1.2.3`);
        if (s.build) {
          expect(path.resolve(s.build.context)).toBe(REPO_ROOT);
          expect(s.build.dockerfile).toBe(dockerfile);
        }
        expect(commandOf(s)).toBe(proc.command);
        expect(s.read_only).toBe(true);
        if (proc.port) expect(s.environment?.PORT).toBe(proc.port);
        if (proc.metricsPort) expect(s.environment?.METRICS_PORT).toBe(proc.metricsPort);
        if (app !== 'is-web') {
          expect(s.environment?.ENV_FILE).toBe('/vault/secrets/app.env');
          // With VAULT_ADDR set the config library would log in itself instead of using the agent's file.
          expect(s.environment?.VAULT_ADDR).toBeUndefined();
          const deps = dependsOn(s);
          if (name.endsWith('-migrate')) {
            expect(deps[`${app}-postgres`]).toBe('service_healthy');
          } else {
            expect(deps[`${app}-migrate`]).toBe('service_completed_successfully');
            expect(deps[`${app}-vault-agent`]).toBe('service_healthy');
          }
        }
      }
      // Exactly one service builds each app image; the others reuse it. (The backup images build
      // from infrastructure-stack/backup.)
      const builders = Object.values(m.services).filter(
        (s) => s.build && path.resolve(s.build.context) !== path.join(INFRA_DIR, 'backup'),
      );
      expect(builders).toHaveLength(1);
    });
  });

  it.each(STACKS)('refuses a prod deploy of %s without a pinned PJS_IMAGE_TAG', (stack) => {
    const env = { ...envs.get(stack)! };
    delete env.PJS_IMAGE_TAG;
    const result = run('docker-compose', composeArgs('prod', 'config', '-q'), {
      cwd: path.join(COMPOSE_DIR, stack),
      env: cleanEnv(env),
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set PJS_IMAGE_TAG to the release to deploy');
  });

  it('binds Grafana to 127.0.0.1 when VPN_BIND_IP is not set', () => {
    const env = { ...envs.get('infrastructure-stack')! };
    delete env.VPN_BIND_IP;
    const m = composeConfig('infrastructure-stack', 'dev', env);
    expect(m.services.grafana.ports).toEqual(['127.0.0.1:3000:3000/tcp']);
  });

  it('lets only the infrastructure stack create is-net, dbu-net and im-net; the projects join them as external', () => {
    for (const mode of MODES) {
      const infra = model('infrastructure-stack', mode).networks ?? {};
      for (const n of ['is-net', 'dbu-net', 'im-net']) {
        expect(infra[n]).toMatchObject({ name: n });
        expect(infra[n]?.external).toBeFalsy();
      }
      expect(model('dbu', mode).networks?.['dbu-net']).toMatchObject({ name: 'dbu-net', external: true });
      expect(model('im', mode).networks?.['im-net']).toMatchObject({ name: 'im-net', external: true });
      expect(model('im', mode).networks?.['dbu-net']).toMatchObject({ name: 'dbu-net', external: true });
    }
  });

  it('keeps each PostgreSQL on internal-only networks', () => {
    for (const [stack, db] of [
      ['dbu', 'dbu-postgres'],
      ['im', 'im-postgres'],
    ] as const) {
      for (const mode of MODES) {
        const m = model(stack, mode);
        const nets = networksOf(m.services[db]);
        expect(nets.length).toBeGreaterThan(0);
        for (const n of nets) expect(m.networks?.[n]?.internal).toBe(true);
        // and only the stack's own services share them
        expect(m.networks?.[nets[0]]?.external).toBeFalsy();
      }
    }
  });

  it('calls PostgreSQL healthy only once the real server listens (TCP, in compose and Swarm files)', () => {
    // The image's first start runs a temporary server on the Unix socket only (initdb, init
    // scripts); a socket check passes against it and one-shots that connect then fail.
    for (const [stack, db] of [
      ['dbu', 'dbu-postgres'],
      ['im', 'im-postgres'],
    ] as const) {
      const swarm = readYaml<{ services: Record<string, { healthcheck?: { test?: string[] } }> }>(
        path.join(COMPOSE_DIR, stack, 'docker-stack.yml'),
      );
      const tests = [
        ...MODES.map((mode) => model(stack, mode).services[db].healthcheck?.test),
        swarm.services[db].healthcheck?.test,
      ];
      for (const test of tests)
        expect(test).toEqual(['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', stack, '-d', stack]);
    }
  });

  it('lets IM reach dbu-web over dbu-net', () => {
    const m = model('im', 'prod');
    expect(networksOf(m.services['im-web'])).toContain('dbu-net');
    expect(networksOf(m.services['im-worker'])).toContain('dbu-net');
    expect(m.services['im-web'].environment?.DBU_BASE_URL).toBe('http://dbu-web:8000');
    expect(networksOf(model('dbu', 'prod').services['dbu-web'])).toContain('dbu-net');
  });

  it('gives every service a name unique across the stacks sharing the networks', () => {
    const names = STACKS.flatMap((s) => Object.keys(model(s, 'prod').services));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('wires Grafana admin password by __FILE, sign-up and anonymous access off', () => {
    const grafana = model('infrastructure-stack', 'prod').services.grafana;
    expect(grafana.environment?.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/grafana_admin_password');
    expect(grafana.environment?.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
  });

  it('sets Prometheus retention by time and size', () => {
    const prom = model('infrastructure-stack', 'prod').services.prometheus;
    expect(commandOf(prom)).toMatch(/--storage\.tsdb\.retention\.time=\d+[dhw]/);
    expect(commandOf(prom)).toMatch(/--storage\.tsdb\.retention\.size=\d+[GM]B/);
  });

  it("mounts Vault's metrics token and CA where prometheus.yml reads them, in prod only", () => {
    const targets = (mode: Mode) =>
      (model('infrastructure-stack', mode).services.prometheus.volumes ?? []).map((v) => parseVolume(v));
    for (const file of credentialFiles()) {
      const mount = targets('prod').find((v) => v.target === path.posix.join('/etc/prometheus', file));
      expect(mount?.mode).toBe('ro');
    }
    expect(credentialFiles()).toEqual(['secrets/vault_metrics_token', 'secrets/vault-ca.crt']);
    expect(targets('dev').some((v) => v.target.startsWith('/etc/prometheus/secrets'))).toBe(false);
  });

  it('runs cAdvisor in prod only, on is-net, unpublished, with read-only host mounts', () => {
    expect(model('infrastructure-stack', 'dev').services.cadvisor).toBeUndefined();
    const c = model('infrastructure-stack', 'prod').services.cadvisor;
    expect(c.image).toMatch(/^gcr\.io\/cadvisor\/cadvisor:v\d+\.\d+\.\d+$/);
    expect(networksOf(c)).toEqual(['is-net']);
    expect(c.ports ?? []).toEqual([]);
    const mounts = (c.volumes ?? []).map((v) => parseVolume(v));
    expect(mounts.map((v) => `${v.source}:${v.target}:${v.mode}`).sort()).toEqual(
      [
        '/:/rootfs:ro',
        '/var/run:/var/run:ro',
        '/sys:/sys:ro',
        '/var/lib/docker:/var/lib/docker:ro',
        '/dev/disk:/dev/disk:ro',
      ].sort(),
    );
    expect(c.read_only).toBe(true);
  });

  describe('every host name the infrastructure talks to is a service on a network it shares (prod)', () => {
    const services = () => {
      const all = new Map<string, string[]>();
      for (const stack of STACKS) {
        for (const [name, s] of Object.entries(model(stack, 'prod').services))
          all.set(
            name,
            networksOf(s).map((n) => model(stack, 'prod').networks?.[n]?.name ?? n),
          );
      }
      return all;
    };
    const reachable = (from: string, host: string) => {
      const all = services();
      const a = all.get(from) ?? [];
      const b = all.get(host);
      return b !== undefined && b.some((n) => a.includes(n));
    };

    it('Prometheus reaches every scrape target', () => {
      const config = readYaml<{
        scrape_configs: {
          job_name: string;
          static_configs?: { targets: string[] }[];
          relabel_configs?: { replacement?: string }[];
        }[];
      }>(path.join(INFRA_DIR, 'prometheus/prometheus.yml'));
      const hosts = new Set<string>();
      for (const job of config.scrape_configs) {
        for (const sc of job.static_configs ?? []) for (const t of sc.targets) hosts.add(t.split(':')[0]);
        for (const r of job.relabel_configs ?? [])
          if (r.replacement?.includes(':')) hosts.add(r.replacement.split(':')[0]);
      }
      for (const file of listFiles(path.join(INFRA_DIR, 'prometheus/file_sd/prod'), /\.yml$/)) {
        for (const group of readYaml<{ targets: string[] }[]>(file)) {
          for (const t of group.targets) if (!t.startsWith('http')) hosts.add(t.split(':')[0]);
        }
      }
      hosts.delete('localhost');
      const unreachable = [...hosts].filter((h) => !reachable('prometheus', h));
      expect(unreachable).toEqual([]);
      expect(hosts.size).toBeGreaterThanOrEqual(10);
    });

    it('nginx reaches every upstream, is-web every status target, the agents Vault', () => {
      const infra = model('infrastructure-stack', 'prod').services;
      const upstreams = Object.entries(infra.nginx.environment ?? {})
        .filter(([k]) => k.startsWith('PJS_UPSTREAM_'))
        .map(([, v]) => String(v).split(':')[0]);
      expect(upstreams.sort()).toEqual(['dbu-web', 'im-web', 'is-web']);
      for (const h of upstreams) expect(reachable('nginx', h)).toBe(true);
      const targets = String(infra['is-web'].environment?.IS_STATUS_TARGETS ?? '')
        .split(',')
        .map((t) => new URL(t.split('=')[1]).hostname);
      expect(targets.length).toBeGreaterThan(5);
      for (const h of targets) expect([h, reachable('is-web', h)]).toEqual([h, true]);
      expect(reachable('dbu-vault-agent', 'vault')).toBe(true);
      expect(reachable('im-vault-agent', 'vault')).toBe(true);
      expect(reachable('dbu-worker', 'im-rabbitmq')).toBe(true);
    });
  });

  describe.each(STACKS)('required-env.txt of %s', (stack) => {
    const files = () =>
      composeFiles('prod')
        .concat('docker-compose.override.yml')
        .map((f) => path.join(COMPOSE_DIR, stack, f));
    const text = () =>
      files()
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');

    it('lists every variable the compose files use without a default', () => {
      const withoutDefault = new Set<string>();
      for (const m of text().matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?][^}]*)?\}/g)) {
        if (!m[2] || m[2].startsWith(':?') || m[2].startsWith('?')) withoutDefault.add(m[1]);
      }
      const listed = requiredVars(stack).map((v) => v.name);
      expect([...withoutDefault].filter((v) => !listed.includes(v))).toEqual([]);
    });

    it('lists only variables the compose files use, each with a kind', () => {
      const used = new Set([...text().matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
      for (const v of requiredVars(stack)) {
        expect([v.name, used.has(v.name)]).toEqual([v.name, true]);
        expect(['value', 'file', 'dir']).toContain(v.kind);
        expect(v.description.length).toBeGreaterThan(5);
      }
    });
  });
});

describe('compose spec lint (dclint)', () => {
  it('passes dclint with the documented rule set on every compose file', () => {
    const dclint = path.join(INFRA_DIR, 'node_modules/.bin/dclint');
    const files = listFiles(COMPOSE_DIR, /^docker-compose.*\.yml$/);
    // 3 stacks x (base, override, prod) + the backup-to-S3 overlays of dbu and im.
    expect(files).toHaveLength(11);
    const result = run(dclint, ['-c', path.join(COMPOSE_DIR, '.dclintrc.json'), '--color=false', ...files], {
      cwd: REPO_ROOT,
    });
    expect(result.stdout + result.stderr).not.toMatch(/error|warning/);
    expect(result.status).toBe(0);
  });
});
