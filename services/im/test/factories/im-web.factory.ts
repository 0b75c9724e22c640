import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { DataSource } from '@pjs/database';
import { createLogger } from '@pjs/logger';
import { createMigratedDatabase, createTestUser, createTestVhost, type TestUser, type TestVhost } from '@pjs/testing';
import { loadImConfig, type ImConfig } from '../../src/config/im-config';
import { imMigrations } from '../../src/database/migrations';
import { buildImWebApp } from '../../src/web.bootstrap';

export interface ImWebHarness {
  app: INestApplication;
  config: ImConfig;
  dataSource: DataSource;
  vhost: TestVhost;
  /** Base URL of the listening app (ephemeral port on 127.0.0.1). */
  baseUrl: string;
  admin: TestUser;
  user: TestUser;
  /** supertest against the listening app. */
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * im-web on a fresh database and RabbitMQ vhost, listening on an ephemeral port, with an admin
 * and a plain user. `env` overrides settings (rate limits, allowlists, body limit, ...).
 */
export async function startImWeb(label: string, env: Record<string, string> = {}): Promise<ImWebHarness> {
  const {
    db,
    dataSource,
    close: closeDb,
  } = await createMigratedDatabase(label, {
    migrations: imMigrations,
    poolSize: 10,
  });
  const vhost = await createTestVhost(label);
  const config = await loadImConfig({
    DATABASE_URL: db.url,
    RABBITMQ_URL: vhost.url,
    LOG_LEVEL: 'error',
    ...env,
  });
  const logger = createLogger({ service: 'im-web', process: 'web', level: 'error' });
  const app = await buildImWebApp(config, dataSource, logger);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const admin = await createTestUser(dataSource, { admin: true });
  const user = await createTestUser(dataSource, { admin: false });
  return {
    app,
    config,
    dataSource,
    vhost,
    baseUrl,
    admin,
    user,
    http: () => request(baseUrl),
    close: async () => {
      await app.close();
      await closeDb();
      await vhost.drop();
    },
  };
}

export const auth = (user: TestUser): Record<string, string> => ({ Authorization: `Token ${user.token}` });
