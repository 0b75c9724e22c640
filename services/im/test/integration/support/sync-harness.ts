import type { INestApplicationContext } from '@nestjs/common';
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import { Client } from 'pg';
import type { DataSource } from '@pjs/database';
import type { WebApp } from '@pjs/http';
import { createLogger, type Logger } from '@pjs/logger';
import { AmqpConnection } from '@pjs/messaging';
import { registry } from '@pjs/metrics';
import { createMigratedDatabase, type TestUser } from '@pjs/testing';
import { loadImConfig, type ImConfig } from '../../../src/config/im-config';
import { imMigrations } from '../../../src/database/migrations';
import { RECONCILE_LOCK_KEY } from '../../../src/sync/catalogue-reconciler';
import { buildImWebApp } from '../../../src/web.bootstrap';
import { buildImWorker } from '../../../src/worker.bootstrap';

/**
 * Test support for the DBU sync: im-web and im-worker in-process on their own database. The real
 * DBU they talk to is in real-dbu.ts (tests that need none do not load DBU at all).
 */

/**
 * Closes a Nest app and then its broker connection: golevelup keeps connections in one
 * process-wide map, so with several apps in a process one app's shutdown hook may close another's
 * and leave its own open (the test process would then linger after its tests).
 */
export async function closeApp(app: INestApplicationContext): Promise<void> {
  const amqp = app.get(AmqpConnection, { strict: false });
  await app.close();
  await amqp.close().catch(() => undefined);
}

/** JSON logs to nowhere unless TEST_LOG is set (then to stderr). */
export function testLogger(service: string): Logger {
  return createLogger({
    service,
    process: 'worker',
    level: process.env.TEST_LOG ? 'debug' : 'error',
    stream: process.env.TEST_LOG ? process.stderr : new Writable({ write: (_c, _e, cb) => cb() }),
  });
}

export interface ImStack {
  config: ImConfig;
  dataSource: DataSource;
  web: WebApp;
  /** supertest target. */
  http: Server;
  worker?: INestApplicationContext;
  startWorker(): Promise<INestApplicationContext>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** im-web (and on demand im-worker) on a fresh im database. */
export async function startIm(
  label: string,
  env: { rabbitUrl: string; dbuUrl: string; dbuUser?: TestUser } & Record<string, string | TestUser | undefined>,
): Promise<ImStack> {
  const { dataSource, db, close } = await createMigratedDatabase(`${label}_im`, { migrations: imMigrations });
  const { rabbitUrl, dbuUrl, dbuUser, ...rest } = env;
  const config = await loadImConfig({
    DATABASE_URL: db.url,
    RABBITMQ_URL: rabbitUrl,
    DBU_BASE_URL: dbuUrl,
    DBU_USERNAME: dbuUser?.username,
    DBU_PASSWORD: dbuUser?.password,
    DBU_TIMEOUT: '3s',
    DBU_RETRIES: '1',
    SYNC_RETRY_DELAY: '300ms',
    SYNC_RETRY_MAX_DELAY: '1s',
    LOG_LEVEL: 'error',
    ...(rest as Record<string, string>),
  });
  const web = await buildImWebApp(config, dataSource, testLogger('im-web'));
  const stack: ImStack = {
    config,
    dataSource,
    web,
    http: web.getHttpServer(),
    startWorker: async () => {
      stack.worker = await buildImWorker(config, dataSource, testLogger('im-worker'));
      return stack.worker;
    },
    stopWorker: async () => {
      const worker = stack.worker;
      stack.worker = undefined;
      if (worker) await closeApp(worker);
    },
    close: async () => {
      await stack.stopWorker();
      await closeApp(web);
      await close();
    },
  };
  return stack;
}

/**
 * Keeps the workers' catalogue reconciler out of a test about the event-driven sync: it holds the
 * reconciler's lock as another reconciler would, so every run answers "busy". Otherwise its first
 * run can take a feed head that another transaction in the cluster held back and then upsert the
 * seed from the feed (details filled and synced_at moved by a path the test does not look at).
 * Answers the release.
 */
export async function holdReconcilerLock(config: ImConfig): Promise<() => Promise<void>> {
  const holder = new Client({ connectionString: config.DATABASE_URL });
  await holder.connect();
  await holder.query(`SELECT pg_advisory_lock(hashtext($1))`, [RECONCILE_LOCK_KEY]);
  return () => holder.end();
}

/** IM items as an order would have created them (no details yet). */
export async function seedImItems(dataSource: DataSource, itemNos: readonly string[]): Promise<void> {
  await dataSource.query(
    `INSERT INTO items (item_no, title) SELECT n, 'from order' FROM unnest($1::varchar[]) AS n ON CONFLICT DO NOTHING`,
    [itemNos],
  );
}

export async function detailsOf(dataSource: DataSource, itemNo: string): Promise<Record<string, unknown> | undefined> {
  const rows = await dataSource.query<Record<string, unknown>[]>(
    `SELECT item_no, title, license, category, manufacturer, to_char(release_date, 'YYYY-MM-DD') AS release_date,
            rrp::text AS rrp, image_url, gpsr_complete, synced_at FROM item_details WHERE item_no = $1`,
    [itemNo],
  );
  return rows[0];
}

export async function countDetails(dataSource: DataSource): Promise<number> {
  const rows = await dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM item_details`);
  return rows[0].n;
}

/** A metric's value (counter/gauge) or a histogram's `_count`, summed over matching labels. */
export async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = registry.getSingleMetric(name);
  if (!found) return 0;
  const { values } = await found.get();
  return values
    .filter((v) => {
      const metricName = (v as { metricName?: string }).metricName;
      return metricName === undefined || metricName === name || metricName === `${name}_count`;
    })
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}
