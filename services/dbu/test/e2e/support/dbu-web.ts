import type { DataSource } from '@pjs/database';
import type { WebApp as DbuWebApp } from '@pjs/http';
import { createLogger, type Logger } from '@pjs/logger';
import { brokerReadyApp, createTestWorld, LogCapture, type TestUser, type TestWorld } from '@pjs/testing';
import request from 'supertest';
import { buildDbuWebApp, dbuMigrations, loadDbuConfig } from '../../../src';

export interface WebApp {
  app: DbuWebApp;
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

  readonly dataSource: DataSource;
  readonly databaseUrl: string;
  readonly admin: TestUser;
  readonly user: TestUser;

  private constructor(private readonly world: TestWorld) {
    ({ dataSource: this.dataSource, databaseUrl: this.databaseUrl, admin: this.admin, user: this.user } = world);
  }

  static async create(label: string): Promise<DbuWebContext> {
    return new DbuWebContext(await createTestWorld(label, { migrations: dbuMigrations, poolSize: 5 }));
  }

  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      RABBITMQ_URL: this.world.vhost.url,
      LOG_LEVEL: 'info',
      AUTH_TOKEN_CACHE_TTL: '0',
      ...overrides,
    };
  }

  /** Builds and initialises an app with the test env plus `overrides`. */
  async start(overrides: Record<string, string> = {}): Promise<WebApp> {
    const config = await loadDbuConfig(this.env(overrides));
    const logs = new LogCapture();
    const logger: Logger = createLogger({
      service: 'dbu-web',
      process: 'web',
      level: config.LOG_LEVEL,
      stream: logs.stream,
    });
    const app = await buildDbuWebApp(config, this.dataSource, logger);
    const { close } = await brokerReadyApp(app);
    const web: WebApp = { app, logs, http: () => request(app.getHttpServer()), close };
    this.apps.push(web);
    return web;
  }

  async close(): Promise<void> {
    for (const web of this.apps) await web.close().catch(() => undefined);
    // app.close() must not close the shared data source; close it ourselves afterwards.
    await this.world.close();
  }
}

export const tokenHeader = (token: string): { Authorization: string } => ({ Authorization: `Token ${token}` });
export const bearerHeader = (token: string): { Authorization: string } => ({ Authorization: `Bearer ${token}` });
