/**
 * dbu-web exactly as services/dbu/src/main.ts starts it, but with the product fast lane switched
 * off: every request goes through Express and Nest (guards, pipes, controllers). Lets
 * bench/dbu-lookup show what the lane buys, in the same run.
 */
import { createLogger } from '@pjs/logger';
import { loadDbuConfig } from '@pjs/dbu/dist/config/dbu-config';
import { connectDbu } from '@pjs/dbu/dist/database/connect-dbu';
import { buildDbuWebApp } from '@pjs/dbu/dist/web.bootstrap';

async function main(): Promise<void> {
  const config = await loadDbuConfig();
  const logger = createLogger({ service: 'dbu-web', process: 'web', level: config.LOG_LEVEL });
  const dataSource = await connectDbu(config, 'dbu-web-nest');
  const app = await buildDbuWebApp(config, dataSource, logger, { fastLane: false });
  await app.listen(config.PORT, '127.0.0.1');
}

main().catch((err: unknown) => {
  process.stderr.write(`web-without-lane: ${String(err)}\n`);
  process.exit(1);
});
