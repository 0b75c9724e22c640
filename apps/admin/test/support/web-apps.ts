import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { buildDbuWebApp, dbuMigrations, loadDbuConfig } from '@pjs/dbu';
import type { WebApp } from '@pjs/http';
import { buildImWebApp, imMigrations, loadImConfig } from '@pjs/im';
import { createLogger } from '@pjs/logger';
import { brokerReadyApp, createTestWorld, type TestWorld } from '@pjs/testing';

export interface RunningApp {
  app: WebApp;
  world: TestWorld;
  baseUrl: string;
  close(): Promise<void>;
}

const quiet = (service: string) => createLogger({ service, process: 'web', level: 'error', stream: new PassThrough() });

async function listen(app: WebApp, world: TestWorld): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  const running = await brokerReadyApp(app);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    world,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await running.close();
      await world.close();
    },
  };
}

/** dbu-web as main.ts builds it, on a fresh database and vhost, listening on 127.0.0.1. */
export async function startDbu(label: string, env: Record<string, string> = {}): Promise<RunningApp> {
  const world = await createTestWorld(label, { migrations: dbuMigrations, poolSize: 5 });
  const config = await loadDbuConfig({
    DATABASE_URL: world.databaseUrl,
    RABBITMQ_URL: world.vhost.url,
    LOG_LEVEL: 'error',
    AUTH_TOKEN_CACHE_TTL: '0',
    ...env,
  });
  return listen(await buildDbuWebApp(config, world.dataSource, quiet('dbu-web')), world);
}

/** im-web as main.ts builds it, on a fresh database and vhost, listening on 127.0.0.1. */
export async function startIm(label: string, env: Record<string, string> = {}): Promise<RunningApp> {
  const world = await createTestWorld(label, { migrations: imMigrations, poolSize: 5 });
  const config = await loadImConfig({
    DATABASE_URL: world.databaseUrl,
    RABBITMQ_URL: world.vhost.url,
    LOG_LEVEL: 'error',
    AUTH_TOKEN_CACHE_TTL: '0',
    ...env,
  });
  return listen(await buildImWebApp(config, world.dataSource, quiet('im-web')), world);
}
