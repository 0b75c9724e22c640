import type { INestApplication } from '@nestjs/common';
import type { DataSource } from '@pjs/database';
import { createLogger, type Logger } from '@pjs/logger';
import { AmqpConnection, isBrokerConnected } from '@pjs/messaging';
import {
  createMigratedDatabase,
  createTestUser,
  createTestVhost,
  LogCapture,
  waitFor,
  type TestUser,
  type TestVhost,
} from '@pjs/testing';
import request from 'supertest';
import { loadDbuConfig } from '../../../src/config/dbu-config';
import { dbuMigrations } from '../../../src/database/migrations';
import { buildDbuWebApp, type DbuWebOptions } from '../../../src/web.bootstrap';

export interface WebApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  logs: LogCapture;
  close(): Promise<void>;
}

/**
 * One test file's world: a fresh migrated database, a fresh RabbitMQ vhost, an admin and a
 * normal user, and dbu-web built exactly as main.ts builds it (config from a test env object).
 */
export class DbuWebContext {
  private readonly apps: WebApp[] = [];

  private constructor(
    readonly dataSource: DataSource,
    private readonly vhost: TestVhost,
    private readonly closeDatabase: () => Promise<void>,
    readonly databaseUrl: string,
    readonly admin: TestUser,
    readonly user: TestUser,
  ) {}

  static async create(label: string): Promise<DbuWebContext> {
    const { db, dataSource, close } = await createMigratedDatabase(label, { migrations: dbuMigrations, poolSize: 5 });
    const vhost = await createTestVhost(label);
    const admin = await createTestUser(dataSource, { admin: true });
    const user = await createTestUser(dataSource);
    return new DbuWebContext(dataSource, vhost, close, db.url, admin, user);
  }

  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      RABBITMQ_URL: this.vhost.url,
      LOG_LEVEL: 'info',
      AUTH_TOKEN_CACHE_TTL: '0',
      ...overrides,
    };
  }

  /** Builds and initialises an app with the test env plus `overrides`. */
  async start(overrides: Record<string, string> = {}, options: DbuWebOptions = {}): Promise<WebApp> {
    const config = await loadDbuConfig(this.env(overrides));
    const logs = new LogCapture();
    const logger: Logger = createLogger({
      service: 'dbu-web',
      process: 'web',
      level: config.LOG_LEVEL,
      stream: logs.stream,
    });
    const app = await buildDbuWebApp(config, this.dataSource, logger, options);
    await app.init();
    // dbu-web connects to the broker in the background; closing before that completes would leave
    // the late connection open after the test.
    const amqp = app.get(AmqpConnection);
    await waitFor(() => isBrokerConnected(amqp), 10_000, 20);
    const web: WebApp = {
      app,
      logs,
      http: () => request(app.getHttpServer()),
      close: async () => {
        await app.close();
        // golevelup keeps connections in one process-wide map, so with several apps in a test
        // process the shutdown hook may close another app's connection: close ours explicitly.
        await amqp.close().catch(() => undefined);
      },
    };
    this.apps.push(web);
    return web;
  }

  async close(): Promise<void> {
    for (const web of this.apps) await web.close().catch(() => undefined);
    // app.close() must not close the shared data source; close it ourselves afterwards.
    await this.closeDatabase();
    await this.vhost.drop();
  }
}

export const tokenHeader = (token: string): { Authorization: string } => ({ Authorization: `Token ${token}` });
export const bearerHeader = (token: string): { Authorization: string } => ({ Authorization: `Bearer ${token}` });
