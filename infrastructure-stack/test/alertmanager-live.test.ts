/**
 * The alerting path end to end, live: Debian's Prometheus with our rule files and our `postgres`
 * scrape job, pointed at two loopback stand-ins of prometheus-postgres-exporter (one per project,
 * labelled as file_sd/prod/postgres.yml labels them) whose answer the test changes, and Debian's
 * Alertmanager with OUR alertmanager.yml. The receivers' secret files become URLs of
 * test/fakes/alert-receiver-fake.ts; group and `for` durations are shortened (test only), nothing
 * else changes. Shown: Watchdog reaches only the dead man's switch, both databases' PostgresDown
 * arrive grouped in one critical message to `ops`, PostgresConnectionsNearMax is inhibited while
 * its database is down and notified once it is back, and the resolved PostgresDown is sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { startAlertReceiverFake, type AlertReceiverFake } from '../../test/fakes/alert-receiver-fake';
import { listFiles, readYaml } from './support/files';
import { stopProcess } from './support/nginx';
import { COMPOSE_DIR, INFRA_DIR, describeWithTools, freePort, run, waitFor, which } from './support/tools';

interface Route {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  routes?: Route[];
}

interface AmConfig {
  route: Route;
  inhibit_rules: unknown[];
  receivers: {
    name: string;
    slack_configs?: Record<string, unknown>[];
    webhook_configs?: Record<string, unknown>[];
  }[];
}

interface ScrapeConfig {
  job_name: string;
  file_sd_configs?: { files: string[] }[];
}

/** What Alertmanager sends to a Slack-style incoming webhook (the `ops` receiver). */
interface SlackMessage {
  channel: string;
  attachments: { title: string; text: string }[];
}

/** What Alertmanager sends to a plain webhook (the `deadman` receiver). */
interface WebhookMessage {
  receiver: string;
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

interface AmAlert {
  fingerprint: string;
  labels: Record<string, string>;
  receivers: { name: string }[];
  status: { state: string; inhibitedBy: string[] };
}

const PROM_DIR = path.join(INFRA_DIR, 'prometheus');

/** One project's database as the stand-in exporter reports it. */
interface StandIn {
  up: 0 | 1;
  connections: number;
}

/** The series of prometheus-postgres-exporter our rules read (names and labels as 0.11 exports them). */
function pgExposition(db: StandIn, datname: string): string {
  return [
    '# TYPE pg_up gauge',
    `pg_up ${db.up}`,
    '# TYPE pg_stat_activity_count gauge',
    `pg_stat_activity_count{datname="${datname}",state="idle"} ${db.connections}`,
    '# TYPE pg_settings_max_connections gauge',
    'pg_settings_max_connections{server="127.0.0.1:5432"} 100',
    '',
  ].join('\n');
}

jest.setTimeout(120_000);

describeWithTools(
  ['prometheus', 'prometheus-alertmanager', 'amtool'],
  'Alertmanager with our configuration, fed by Prometheus with our rules (live, loopback)',
  () => {
    const children: ChildProcess[] = [];
    const servers: Server[] = [];
    let dir: string;
    let receiver: AlertReceiverFake;
    let amPort: number;
    let amConfigFile: string;
    let am: AmConfig;
    /** Stand-in exporters by project; the test flips `up` to end the outage. */
    const databases: Record<'dbu' | 'im', StandIn> = {
      dbu: { up: 0, connections: 95 },
      im: { up: 0, connections: 10 },
    };

    const slack = () => receiver.at('/ops') as SlackMessage[];
    const deadman = () => receiver.at('/deadman') as WebhookMessage[];
    const amAlerts = async (filter: string): Promise<AmAlert[]> => {
      const res = await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts?filter=${encodeURIComponent(filter)}`);
      if (!res.ok) throw new Error(`alertmanager: HTTP ${res.status}`);
      return (await res.json()) as AmAlert[];
    };
    const slackWith = (title: string, ...texts: string[]) =>
      slack().find((m) => m.attachments[0]?.title === title && texts.every((t) => m.attachments[0].text.includes(t)));

    function start(cmd: string, args: string[]): ChildProcess {
      let stderr = '';
      const child = spawn(which(cmd)!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      child.on('exit', (code) => {
        if (code) console.error(`${cmd} exited ${code}: ${stderr}`);
      });
      children.push(child);
      return child;
    }

    async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
      const server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      const address = server.address();
      return typeof address === 'object' && address ? address.port : 0;
    }

    /** Our alertmanager.yml with the secret files replaced by the fake's URLs and short group timings. */
    function renderAlertmanager(): string {
      am = readYaml<AmConfig>(path.join(INFRA_DIR, 'alertmanager/alertmanager.yml'));
      const rendered = structuredClone(am);
      const ops = rendered.receivers.find((r) => r.name === 'ops')?.slack_configs?.[0];
      const dms = rendered.receivers.find((r) => r.name === 'deadman')?.webhook_configs?.[0];
      expect(ops?.api_url_file).toBe('/run/secrets/alertmanager_webhook_url');
      expect(dms?.url_file).toBe('/run/secrets/alertmanager_deadman_url');
      delete ops!.api_url_file;
      ops!.api_url = `${receiver.url}/ops`;
      delete dms!.url_file;
      dms!.url = `${receiver.url}/deadman`;
      // Test only: notify within a second instead of 30 s / 5 min; repeat intervals unchanged.
      const shorten = (route: Route) => {
        if (route.group_wait !== undefined || route === rendered.route) route.group_wait = '1s';
        if (route.group_interval !== undefined || route === rendered.route) route.group_interval = '1s';
        route.routes?.forEach(shorten);
      };
      shorten(rendered.route);
      const file = path.join(dir, 'alertmanager.yml');
      writeFileSync(file, toYaml(rendered));
      return file;
    }

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'pjs-am-live-'));
      receiver = await startAlertReceiverFake();
      amConfigFile = renderAlertmanager();

      // Alertmanager with the flags compose gives it (cluster mode off), paths moved here.
      amPort = await freePort();
      const compose = readYaml<{ services: Record<string, { command: string[] }> }>(
        path.join(COMPOSE_DIR, 'infrastructure-stack/docker-compose.yml'),
      );
      const amFlags = compose.services.alertmanager.command.map((f) =>
        f
          .replace(/^--config\.file=.*/, `--config.file=${amConfigFile}`)
          .replace(/^--storage\.path=.*/, `--storage.path=${path.join(dir, 'am-data')}`),
      );
      expect(amFlags).toContain('--cluster.listen-address=');
      start('prometheus-alertmanager', [...amFlags, `--web.listen-address=127.0.0.1:${amPort}`]);

      // Our rule files, every `for:` shortened to 1 s (test only: the durations are proven by
      // promtool's unit tests in prometheus/tests/); expressions, labels and annotations unchanged.
      mkdirSync(path.join(dir, 'rules'));
      for (const file of listFiles(path.join(PROM_DIR, 'rules'), /\.yml$/)) {
        const text = readFileSync(file, 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 1s');
        writeFileSync(path.join(dir, 'rules', path.basename(file)), text);
      }

      // Our prometheus.yml reduced to its postgres job, whose production targets (file_sd/prod)
      // become the stand-ins with the same labels.
      const config = readYaml<{ global: Record<string, unknown>; scrape_configs: ScrapeConfig[] }>(
        path.join(PROM_DIR, 'prometheus.yml'),
      );
      const job = config.scrape_configs.find((j) => j.job_name === 'postgres')!;
      const prodGroups = readYaml<{ targets: string[]; labels: { project: string } }[]>(
        path.join(PROM_DIR, 'file_sd/prod/postgres.yml'),
      );
      expect(prodGroups.map((g) => g.labels.project).sort()).toEqual(['dbu', 'im']);
      mkdirSync(path.join(dir, 'file_sd'));
      const groups = [];
      for (const group of prodGroups) {
        const project = group.labels.project as keyof typeof databases;
        const port = await listen((_req, res) => {
          res
            .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
            .end(pgExposition(databases[project], project));
        });
        groups.push({ ...group, targets: [`127.0.0.1:${port}`] });
      }
      writeFileSync(path.join(dir, job.file_sd_configs![0].files[0]), toYaml(groups));
      const promPort = await freePort();
      writeFileSync(
        path.join(dir, 'prometheus.yml'),
        toYaml({
          global: { ...config.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
          rule_files: [path.join(dir, 'rules', '*.yml')],
          alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
          scrape_configs: [job],
        }),
      );
      start('prometheus', [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        // Test only: resend firing alerts every second instead of every minute.
        '--rules.alert.resend-delay=1s',
      ]);
      await waitFor(
        async () => ((await fetch(`http://127.0.0.1:${amPort}/-/ready`)).ok ? true : undefined),
        20_000,
        'Alertmanager to be ready',
      );
    }, 40_000);

    afterAll(async () => {
      for (const child of children.reverse()) await stopProcess(child);
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await receiver?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('passes amtool check-config as Alertmanager runs it here (all receivers and inhibit rules)', () => {
      const result = run('amtool', ['check-config', amConfigFile]);
      expect(result.stdout).toContain('SUCCESS');
      expect(result.stdout).toContain(`${am.inhibit_rules.length} inhibit rules`);
      expect(result.stdout).toContain(`${am.receivers.length} receivers`);
      expect(result.status).toBe(0);
    });

    it("sends the always-firing Watchdog to the dead man's switch with our labels", async () => {
      const message = await waitFor(
        async () => deadman().find((m) => m.alerts.some((a) => a.labels.alertname === 'Watchdog')),
        30_000,
        "Watchdog at the dead man's switch",
      );
      expect(message).toMatchObject({ receiver: 'deadman', status: 'firing' });
      expect(message.alerts[0].labels).toEqual({ alertname: 'Watchdog', severity: 'none', monitor: 'pjs' });
    });

    it('groups both databases’ PostgresDown into one critical message to ops', async () => {
      const message = await waitFor(
        async () =>
          slackWith(
            '[FIRING] PostgresDown',
            '*critical* PostgreSQL of dbu is unreachable',
            '*critical* PostgreSQL of im is unreachable',
          ),
        30_000,
        'PostgresDown of dbu and im in one message to ops',
      );
      expect(message.channel).toBe('#pjs-alerts');
      const alerts = await amAlerts('alertname="PostgresDown"');
      expect(alerts.map((a) => a.labels.project).sort()).toEqual(['dbu', 'im']);
      for (const alert of alerts) {
        expect(alert.labels).toMatchObject({ severity: 'critical', job: 'postgres', monitor: 'pjs' });
        expect(alert.receivers.map((r) => r.name)).toEqual(['ops']);
      }
    });

    it("inhibits the down database's PostgresConnectionsNearMax by PostgresDown of the same instance", async () => {
      const [down, nearMax] = await waitFor(
        async () => {
          const inhibited = (await amAlerts('alertname="PostgresConnectionsNearMax"')).find(
            (a) => a.status.state === 'suppressed',
          );
          const source = (await amAlerts('alertname="PostgresDown"')).find((a) => a.labels.project === 'dbu');
          return inhibited && source ? [source, inhibited] : undefined;
        },
        30_000,
        'PostgresConnectionsNearMax suppressed',
      );
      expect(nearMax.labels).toMatchObject({ project: 'dbu', severity: 'warning', instance: down.labels.instance });
      expect(nearMax.status.inhibitedBy).toEqual([down.fingerprint]);
      expect(slack().some((m) => m.attachments[0].title.includes('PostgresConnectionsNearMax'))).toBe(false);
    });

    it('sends the resolved PostgresDown once the databases answer, then the connections warning', async () => {
      databases.dbu.up = 1;
      databases.im.up = 1;
      // The two stand-ins are scraped at different moments, so the databases may resolve in
      // different evaluations: the group's last notification, once neither is down, is RESOLVED.
      const resolved = await waitFor(
        async () => slackWith('[RESOLVED] PostgresDown', '*critical* PostgreSQL of'),
        30_000,
        'resolved PostgresDown at ops',
      );
      expect(resolved.channel).toBe('#pjs-alerts');
      await waitFor(
        async () => ((await amAlerts('alertname="PostgresDown"')).length === 0 ? true : undefined),
        30_000,
        'no active PostgresDown left',
      );
      const warning = await waitFor(
        async () =>
          slackWith(
            '[FIRING] PostgresConnectionsNearMax',
            '*warning* PostgreSQL of dbu: 95% of max_connections in use',
          ),
        30_000,
        'PostgresConnectionsNearMax at ops',
      );
      expect(warning.attachments[0].text).not.toContain('PostgreSQL of im');
    });

    it('keeps the Watchdog away from people and the other alerts away from the switch', () => {
      expect(slack().some((m) => m.attachments[0].title.includes('Watchdog'))).toBe(false);
      const switchAlerts = deadman().flatMap((m) => m.alerts.map((a) => a.labels.alertname));
      expect(new Set(switchAlerts)).toEqual(new Set(['Watchdog']));
    });
  },
);
