import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { DataSource } from '@pjs/database';
import type { WebApp } from '@pjs/http';
import { createLogger } from '@pjs/logger';
import { brokerReadyApp, createTestWorld, LogCapture, type TestUser, type TestVhost } from '@pjs/testing';
import { loadImConfig, type ImConfig } from '../../src/config/im-config';
import { imMigrations } from '../../src/database/migrations';
import { buildImWebApp } from '../../src/web.bootstrap';

export interface ImWebHarness {
  app: WebApp;
  config: ImConfig;
  dataSource: DataSource;
  vhost: TestVhost;
  /** Base URL of the listening app (ephemeral port on 127.0.0.1). */
  baseUrl: string;
  admin: TestUser;
  user: TestUser;
  /** The app's JSON log lines (level LOG_LEVEL, `error` unless `env` says otherwise). */
  logs: LogCapture;
  /** supertest against the listening app. */
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * im-web as main.ts builds it, on a fresh database and RabbitMQ vhost, listening on an ephemeral
 * port, with an admin and a plain user. `env` overrides settings (rate limits, allowlists, body
 * limit, LOG_LEVEL, ...).
 */
export async function startImWeb(label: string, env: Record<string, string> = {}): Promise<ImWebHarness> {
  const world = await createTestWorld(label, { migrations: imMigrations, poolSize: 10 });
  const { dataSource, vhost, admin, user } = world;
  const config = await loadImConfig({
    DATABASE_URL: world.databaseUrl,
    RABBITMQ_URL: vhost.url,
    LOG_LEVEL: 'error',
    ...env,
  });
  const logs = new LogCapture();
  const logger = createLogger({ service: 'im-web', process: 'web', level: config.LOG_LEVEL, stream: logs.stream });
  const app = await buildImWebApp(config, dataSource, logger);
  await app.listen(0, '127.0.0.1');
  const running = await brokerReadyApp(app);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    config,
    dataSource,
    vhost,
    baseUrl,
    admin,
    user,
    logs,
    http: () => request(baseUrl),
    close: async () => {
      await running.close();
      await world.close();
    },
  };
}

export const auth = (user: TestUser): Record<string, string> => ({ Authorization: `Token ${user.token}` });
