import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { DataSource } from '@pjs/database';
import { createLogger } from '@pjs/logger';
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
import { loadImConfig } from '../../src/config/im-config';
import { imMigrations } from '../../src/database/migrations';
import { buildImWebApp, type ImWebOptions } from '../../src/web.bootstrap';

export interface ImWebUnderTest {
  app: INestApplication;
  /** http://127.0.0.1:port of the listening app. */
  baseUrl: string;
  logs: LogCapture;
}

/**
 * One database and RabbitMQ vhost with an admin and a plain user, on which several im-web apps
 * can be started side by side (e.g. with and without the stock fast lane, to compare answers).
 */
export class ImWebWorld {
  private readonly apps: { app: INestApplication; amqp: AmqpConnection }[] = [];

  private constructor(
    readonly dataSource: DataSource,
    private readonly vhost: TestVhost,
    private readonly closeDatabase: () => Promise<void>,
    readonly databaseUrl: string,
    readonly admin: TestUser,
    readonly user: TestUser,
  ) {}

  static async create(label: string): Promise<ImWebWorld> {
    const { db, dataSource, close } = await createMigratedDatabase(label, { migrations: imMigrations, poolSize: 10 });
    const vhost = await createTestVhost(label);
    const admin = await createTestUser(dataSource, { admin: true });
    const user = await createTestUser(dataSource);
    return new ImWebWorld(dataSource, vhost, close, db.url, admin, user);
  }

  /** Builds im-web as main.ts does (config from `env`), listening on an ephemeral port. */
  async start(env: Record<string, string> = {}, options: ImWebOptions = {}): Promise<ImWebUnderTest> {
    const config = await loadImConfig({ DATABASE_URL: this.databaseUrl, RABBITMQ_URL: this.vhost.url, ...env });
    const logs = new LogCapture();
    const logger = createLogger({ service: 'im-web', process: 'web', level: config.LOG_LEVEL, stream: logs.stream });
    const app = await buildImWebApp(config, this.dataSource, logger, options);
    await app.listen(0, '127.0.0.1');
    // Closing before the background broker connection is up would leave it open after the test.
    const amqp = app.get(AmqpConnection);
    await waitFor(() => isBrokerConnected(amqp), 10_000, 20);
    this.apps.push({ app, amqp });
    const { port } = app.getHttpServer().address() as AddressInfo;
    return { app, baseUrl: `http://127.0.0.1:${port}`, logs };
  }

  async close(): Promise<void> {
    for (const { app, amqp } of this.apps) {
      await app.close().catch(() => undefined);
      // golevelup keeps connections in one process-wide map: with several apps in a process the
      // shutdown hook may close another app's connection, so close ours explicitly.
      await amqp.close().catch(() => undefined);
    }
    await this.closeDatabase();
    await this.vhost.drop();
  }
}
