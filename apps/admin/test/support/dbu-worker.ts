import { PassThrough } from 'node:stream';
import { connectDbu, createWorkerApp, loadDbuConfig } from '@pjs/dbu';
import { createLogger } from '@pjs/logger';
import type { RunningApp } from './web-apps';

export interface RunningWorker {
  close(): Promise<void>;
}

/**
 * dbu-worker as worker.ts builds it (its own connection, the real consumers), on the database and
 * vhost of a running dbu-web: what the admin uploads is queued by dbu-web and imported here.
 * `env` must give it the web app's MEDIA_DIR, where the uploads are.
 */
export async function startDbuWorker(web: RunningApp, env: Record<string, string>): Promise<RunningWorker> {
  const config = await loadDbuConfig({
    DATABASE_URL: web.world.databaseUrl,
    RABBITMQ_URL: web.world.vhost.url,
    LOG_LEVEL: 'error',
    DB_POOL_SIZE: '4',
    // Nothing here may reach out to the wholesaler's image hosts.
    PHOTOS_AFTER_IMPORT: 'false',
    ...env,
  });
  const logger = createLogger({ service: 'dbu-worker', process: 'worker', level: 'error', stream: new PassThrough() });
  const dataSource = await connectDbu(config, 'worker');
  const app = await createWorkerApp(config, dataSource, logger);
  return {
    close: async () => {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
