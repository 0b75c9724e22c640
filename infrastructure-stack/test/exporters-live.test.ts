/**
 * The exporters that can run on this machine, scraped by our Prometheus configuration: Debian's
 * prometheus-postgres-exporter (against the local PostgreSQL), prometheus-node-exporter,
 * prometheus-nginx-exporter (in front of our nginx's stub_status) and RabbitMQ's own
 * rabbitmq_prometheus endpoint. Every target of those jobs must be up, and every metric of the
 * catalogue that these exporters provide (the names dashboards and alerts use) must exist in the
 * live scrape. (blackbox, cAdvisor and Vault do not run here: cAdvisor's metrics are checked against
 * the contract test/fixtures/cadvisor-metrics.json by metrics-catalogue.test.ts, the vault job
 * against a stand-in by prometheus-live; the apps' own metrics are checked by their e2e tests and
 * prometheus-live against the catalogue.)
 *
 * The PostgreSQL exporter runs as compose/dbu wires it: DATA_SOURCE_* of dbu-postgres-exporter, as
 * the read-only role infrastructure-stack/postgres-exporter/monitor-role.sh creates with the
 * settings of dbu-postgres-monitor-role (host, database and role name moved to this machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { readJson, readYaml } from './support/files';
import { renderEdge, startNginx, stopProcess, type RenderedEdge } from './support/nginx';
import { COMPOSE_DIR, INFRA_DIR, describeWithTools, freePort, run, waitFor, which } from './support/tools';

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  file_sd_configs?: { files: string[] }[];
}

interface CatalogueEntry {
  name: string;
  type: string;
  source: string;
  exporters: string[];
}

const PG = process.env.PJS_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
const MONITOR_ROLE_SCRIPT = path.join(INFRA_DIR, 'postgres-exporter/monitor-role.sh');

/** The environment compose/dbu gives a service. */
function dbuServiceEnv(service: string): Record<string, string> {
  const compose = readYaml<{ services: Record<string, { environment: Record<string, string> }> }>(
    path.join(COMPOSE_DIR, 'dbu/docker-compose.yml'),
  );
  return compose.services[service].environment;
}
const RABBITMQ_METRICS = process.env.PJS_TEST_RABBITMQ_METRICS ?? '127.0.0.1:15692';
/** Job of our prometheus.yml -> the exporter that serves it here. */
const JOBS = ['postgres', 'node', 'nginx', 'rabbitmq'] as const;

jest.setTimeout(90_000);

describeWithTools(
  [
    'prometheus',
    'nginx',
    'psql',
    'prometheus-postgres-exporter',
    'prometheus-node-exporter',
    'prometheus-nginx-exporter',
  ],
  'exporters scraped by our Prometheus configuration (live)',
  () => {
    const children: ChildProcess[] = [];
    let dir: string;
    let rendered: RenderedEdge;
    let promPort: number;
    let monitorRole: string | undefined;
    const pg = new URL(PG);
    const psql = (sql: string, user = decodeURIComponent(pg.username)) =>
      run('psql', [
        '-X',
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        pg.hostname,
        '-p',
        pg.port || '5432',
        '-U',
        user,
        '-d',
        'postgres',
        '-c',
        sql,
      ]);

    function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
      const child = spawn(which(cmd) ?? cmd, args, {
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr?.on('data', () => undefined);
      children.push(child);
      return child;
    }

    const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } })
        .data.result;
    };

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'pjs-exporters-'));
      rendered = await renderEdge({ is: '127.0.0.1:9', dbu: '127.0.0.1:9', im: '127.0.0.1:9' });
      children.push(startNginx(rendered));

      const exporterPorts = { postgres: await freePort(), node: await freePort(), nginx: await freePort() };
      // The read-only role, made by our script with the one-shot's settings (a per-run name: the
      // role is cluster-wide and this PostgreSQL is shared).
      const roleEnv = dbuServiceEnv('dbu-postgres-monitor-role');
      const exporterEnv = dbuServiceEnv('dbu-postgres-exporter');
      expect(exporterEnv.DATA_SOURCE_USER).toBe(roleEnv.MONITOR_ROLE);
      expect(exporterEnv.DATA_SOURCE_PASS_FILE).toBe(roleEnv.MONITOR_PASSWORD_FILE);
      monitorRole = `${roleEnv.MONITOR_ROLE}_t${process.pid}`;
      const passwordFile = path.join(dir, 'monitor_password');
      writeFileSync(passwordFile, 'exporter-test-password\n', { mode: 0o400 });
      const made = run('bash', [MONITOR_ROLE_SCRIPT], {
        env: {
          PATH: process.env.PATH,
          PGHOST: pg.hostname,
          PGPORT: pg.port || '5432',
          PGUSER: decodeURIComponent(pg.username),
          PGDATABASE: 'postgres',
          MONITOR_ROLE: monitorRole,
          MONITOR_PASSWORD_FILE: passwordFile,
        },
      });
      expect(made.stderr).toBe('');
      expect(made.status).toBe(0);
      start('prometheus-postgres-exporter', [`--web.listen-address=127.0.0.1:${exporterPorts.postgres}`], {
        ...exporterEnv,
        DATA_SOURCE_URI: exporterEnv.DATA_SOURCE_URI.replace(/^dbu-postgres:5432\/dbu\?/, `${pg.host}/postgres?`),
        DATA_SOURCE_USER: monitorRole,
        DATA_SOURCE_PASS_FILE: passwordFile,
      });
      start('prometheus-node-exporter', [
        `--web.listen-address=127.0.0.1:${exporterPorts.node}`,
        '--collector.disable-defaults',
        '--collector.cpu',
        '--collector.meminfo',
        '--collector.filesystem',
      ]);
      start('prometheus-nginx-exporter', [
        `-nginx.scrape-uri=http://127.0.0.1:${rendered.ports.status}/stub_status`,
        `-web.listen-address=127.0.0.1:${exporterPorts.nginx}`,
      ]);
      const targets: Record<(typeof JOBS)[number], string> = {
        postgres: `127.0.0.1:${exporterPorts.postgres}`,
        node: `127.0.0.1:${exporterPorts.node}`,
        nginx: `127.0.0.1:${exporterPorts.nginx}`,
        rabbitmq: RABBITMQ_METRICS,
      };

      // Our prometheus.yml, reduced to the exporter jobs, each pointed at the exporter running here
      // with the labels of its production file_sd list (or static config).
      const config = readYaml<{ global: Record<string, unknown>; scrape_configs: ScrapeConfig[] }>(
        path.join(INFRA_DIR, 'prometheus/prometheus.yml'),
      );
      mkdirSync(path.join(dir, 'file_sd'));
      const jobs = config.scrape_configs.filter((j) => (JOBS as readonly string[]).includes(j.job_name));
      expect(jobs.map((j) => j.job_name).sort()).toEqual([...JOBS].sort());
      for (const job of jobs) {
        delete job.scrape_interval;
        delete job.scrape_timeout;
        const target = targets[job.job_name as (typeof JOBS)[number]];
        for (const sc of job.static_configs ?? []) sc.targets = [target];
        for (const sd of job.file_sd_configs ?? []) {
          for (const file of sd.files) {
            writeFileSync(path.join(dir, file), toYaml([{ targets: [target], labels: { project: 'test' } }]));
          }
        }
      }
      promPort = await freePort();
      writeFileSync(
        path.join(dir, 'prometheus.yml'),
        toYaml({ global: { scrape_interval: '1s', scrape_timeout: '1s' }, scrape_configs: jobs }),
      );
      start('prometheus', [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ]);
    }, 60_000);

    afterAll(async () => {
      for (const child of children.reverse()) await stopProcess(child);
      if (rendered) rmSync(rendered.dir, { recursive: true, force: true });
      if (monitorRole) psql(`DROP ROLE IF EXISTS ${monitorRole}`);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('gives the exporter a role that reads the statistics and writes nothing (monitor-role.sh)', () => {
      const attrs = psql(
        `SELECT rolsuper, rolcreatedb, rolcreaterole, pg_has_role(rolname, 'pg_monitor', 'member') FROM pg_roles WHERE rolname = '${monitorRole}'`,
      );
      expect(attrs.stdout.trim()).toBe('f|f|f|t');
      const write = psql('CREATE TABLE exporter_must_not_write (id int)', monitorRole);
      expect(write.status).not.toBe(0);
      expect(write.stderr).toContain('read-only transaction');
    });

    it('finds every exporter target up', async () => {
      const targets = await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`);
          const data = ((await res.json()) as { data: { activeTargets: { scrapePool: string; health: string }[] } })
            .data.activeTargets;
          return data.length === JOBS.length && data.every((t) => t.health === 'up') ? data : undefined;
        },
        30_000,
        'every exporter target up',
      );
      expect(targets.map((t) => t.scrapePool).sort()).toEqual([...JOBS].sort());
    });

    it('scrapes every catalogue metric these exporters provide (what dashboards and alerts use)', async () => {
      const catalogue = readJson<{ metrics: CatalogueEntry[] }>(path.join(INFRA_DIR, 'metrics-catalogue.json')).metrics;
      const expected = catalogue.filter((m) => m.exporters.some((e) => (JOBS as readonly string[]).includes(e)));
      expect(expected.length).toBeGreaterThanOrEqual(14);
      // On timeout, the names still absent at the last poll (not just "timed out").
      let absent: string[] = [];
      await waitFor(
        async () => {
          absent = [];
          for (const m of expected) {
            const name = m.type === 'histogram' ? `${m.name}_count` : m.name;
            if ((await query(`count(${name})`)).length === 0) absent.push(m.name);
          }
          return absent.length === 0 ? true : undefined;
        },
        30_000,
        'every exporter metric of the catalogue',
      ).catch(() => undefined);
      expect(absent).toEqual([]);
    });

    it('reads PostgreSQL through the exporter as the alerts do (pg_up 1, connections below max)', async () => {
      expect((await query('pg_up'))[0]?.value[1]).toBe('1');
      const ratio = await query(
        'sum by (instance, project) (pg_stat_activity_count) / on (instance, project) max by (instance, project) (pg_settings_max_connections)',
      );
      expect(Number(ratio[0]?.value[1])).toBeGreaterThan(0);
      expect(Number(ratio[0]?.value[1])).toBeLessThan(1);
    });
  },
);
