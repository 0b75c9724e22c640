import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import { createLogger, type Logger } from '@pjs/logger';
import { AmqpConnection } from '@pjs/messaging';
import { registry } from '@pjs/metrics';
import type { DataSource } from '@pjs/database';
import { createMigratedDatabase, createTestUser, TcpProxy, type TestUser } from '@pjs/testing';
import { loadDbuConfig } from '@pjs/dbu/src/config/dbu-config';
import { dbuMigrations } from '@pjs/dbu/src/database/migrations';
import { buildDbuWebApp } from '@pjs/dbu/src/web.bootstrap';
import { loadImConfig, type ImConfig } from '../../../src/config/im-config';
import { imMigrations } from '../../../src/database/migrations';
import { buildImWebApp } from '../../../src/web.bootstrap';
import { buildImWorker } from '../../../src/worker.bootstrap';

/**
 * Test support for the DBU sync: the REAL dbu-web app on its own database (behind a TcpProxy, so a
 * test can take DBU down and bring it back), and im-web / im-worker on theirs, all in-process.
 */

/**
 * Closes a Nest app and then its broker connection: golevelup keeps connections in one
 * process-wide map, so with several apps in a process one app's shutdown hook may close another's
 * and leave its own open (the test process would then linger after its tests).
 */
async function closeApp(app: INestApplicationContext): Promise<void> {
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

export interface DbuSeedProduct {
  item_no: string;
  title: string;
  license?: string | null;
  category?: string | null;
  rrp?: string | null;
  release_date?: string | null;
  image_url?: string | null;
  /** The product's manufacturer has complete GPSR data (default true). */
  gpsr_complete?: boolean;
  /** Marks the product as written by this import (`?changed_in_import=<id>`). */
  import_id?: string;
}

export interface RealDbu {
  dataSource: DataSource;
  /** Where im should call DBU: through the proxy. */
  url: string;
  /** DBU's own listener (bypassing the proxy). */
  directUrl: string;
  user: TestUser;
  proxy: TcpProxy;
  seed(products: readonly DbuSeedProduct[]): Promise<void>;
  close(): Promise<void>;
}

/** The real dbu-web app, its database migrated, a user for IM and a TcpProxy in front. */
export async function startRealDbu(label: string, rabbitUrl: string): Promise<RealDbu> {
  const { dataSource, db, close } = await createMigratedDatabase(`${label}_dbu`, { migrations: dbuMigrations });
  const config = await loadDbuConfig({ DATABASE_URL: db.url, RABBITMQ_URL: rabbitUrl, LOG_LEVEL: 'error' });
  const app = await buildDbuWebApp(config, dataSource, testLogger('dbu-web'));
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer() as Server).address() as { port: number };
  const proxy = new TcpProxy('127.0.0.1', port.port);
  await proxy.start();
  const user = await createTestUser(dataSource, { username: 'im-sync' });
  await dataSource.query(`
    INSERT INTO licenses (name, name_key) VALUES ('Star Wars', 'star wars'), ('Marvel', 'marvel');
    INSERT INTO categories (name, path) VALUES ('Vehicles', 'Toys/Vehicles'), ('Figures', 'Toys/Figures');
    INSERT INTO manufacturers (name, name_key, street, postal_code, city, country, email)
      VALUES ('Hasbro', 'hasbro', 'Main St 1', '12345', 'Berlin', 'DE', 'gpsr@hasbro.example');
    INSERT INTO manufacturers (name, name_key) VALUES ('Nameless', 'nameless');`);
  return {
    dataSource,
    url: `http://127.0.0.1:${proxy.port}`,
    directUrl: `http://127.0.0.1:${port.port}`,
    user,
    proxy,
    seed: (products) => seedDbu(dataSource, products),
    close: async () => {
      await proxy.stop();
      await closeApp(app);
      await close();
    },
  };
}

/** Inserts or replaces catalogue products with plain SQL (as an import would leave them). */
export async function seedDbu(dataSource: DataSource, products: readonly DbuSeedProduct[]): Promise<void> {
  const rows = products.map((p) => ({
    item_no: p.item_no,
    title: p.title,
    license: p.license ?? null,
    category: p.category ?? null,
    rrp: p.rrp ?? null,
    release_date: p.release_date ?? null,
    image_url: p.image_url ?? null,
    manufacturer: p.gpsr_complete === false ? 'nameless' : 'hasbro',
    import_id: p.import_id ?? null,
  }));
  await dataSource.query(
    `INSERT INTO products (item_no, title, license_id, category_id, manufacturer_id, rrp, release_date, image_url,
                           last_import_id, updated_at)
     SELECT r.item_no, r.title, l.id, c.id, m.id, r.rrp, r.release_date, r.image_url, r.import_id, clock_timestamp()
       FROM jsonb_to_recordset($1::jsonb) AS r(item_no text, title text, license text, category text, rrp numeric,
            release_date date, image_url text, manufacturer text, import_id uuid)
       LEFT JOIN licenses l ON l.name = r.license
       LEFT JOIN categories c ON c.name = r.category
       LEFT JOIN manufacturers m ON m.name_key = r.manufacturer
     ON CONFLICT (item_no) DO UPDATE SET title = EXCLUDED.title, license_id = EXCLUDED.license_id,
        category_id = EXCLUDED.category_id, manufacturer_id = EXCLUDED.manufacturer_id, rrp = EXCLUDED.rrp,
        release_date = EXCLUDED.release_date, image_url = EXCLUDED.image_url,
        last_import_id = EXCLUDED.last_import_id, updated_at = EXCLUDED.updated_at`,
    [JSON.stringify(rows)],
  );
}

export interface ImStack {
  config: ImConfig;
  dataSource: DataSource;
  web: INestApplication;
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
  await web.init();
  const stack: ImStack = {
    config,
    dataSource,
    web,
    http: web.getHttpServer() as Server,
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
