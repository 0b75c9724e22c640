/**
 * dbu-web in a child process (a second replica for tests): the app of src/ on the database and
 * broker of the environment, listening on an ephemeral port it reports to the parent over IPC.
 */
import { createLogger } from '@pjs/logger';
import { openDatabase } from '@pjs/database';
import { loadDbuConfig } from '../../../src/config/dbu-config';
import { dbuMigrations } from '../../../src/database/migrations';
import { buildDbuWebApp } from '../../../src/web.bootstrap';

async function main(): Promise<void> {
  const config = await loadDbuConfig();
  const logger = createLogger({ service: 'dbu-web-child', process: 'web', level: 'error' });
  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    migrations: dbuMigrations,
    poolSize: 4,
    applicationName: 'dbu-web-child',
  });
  const app = await buildDbuWebApp(config, dataSource, logger);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.send?.({ port });
}

main().catch((err: unknown) => {
  process.stderr.write(`web child failed: ${String(err)}\n`);
  process.exit(1);
});
