import 'reflect-metadata';
import { drainSettings, loadConfigOrExit } from '@pjs/config';
import { serveUntilStopped } from '@pjs/http';
import { createLogger } from '@pjs/logger';
import { buildIsWebApp } from './bootstrap';
import { loadIsConfig } from './config/is-config';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadIsConfig(), 'is-web');
  const logger = createLogger({ service: 'is-web', process: 'web', level: config.LOG_LEVEL });
  const app = await buildIsWebApp(config, logger);
  await serveUntilStopped(app, { port: config.PORT, logger, ...drainSettings(config) });
  logger.info('is-web listening', { port: config.PORT, targets: config.IS_STATUS_TARGETS.map((t) => t.name) });
}

main().catch((err: unknown) => {
  process.stderr.write(`is-web: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
