import 'reflect-metadata';
import { loadConfigOrExit } from '@pjs/config';
import { createLogger } from '@pjs/logger';
import { buildIsWebApp } from './bootstrap';
import { loadIsConfig } from './config/is-config';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadIsConfig(), 'is-web');
  const logger = createLogger({ service: 'is-web', process: 'web', level: config.LOG_LEVEL });
  const app = await buildIsWebApp(config, logger);
  await app.listen(config.PORT, '0.0.0.0');
  logger.info('is-web listening', { port: config.PORT, targets: config.IS_STATUS_TARGETS.map((t) => t.name) });
}

main().catch((err: unknown) => {
  process.stderr.write(`is-web: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
