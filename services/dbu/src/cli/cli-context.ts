import type { INestApplicationContext } from '@nestjs/common';
import { runInCliContext } from '@pjs/database';
import { CliModule } from '../cli.module';
import { loadDbuConfig } from '../config/dbu-config';
import { connectDbu } from '../database/connect-dbu';

/** Runs a `pnpm dbu` command inside CliModule's application context (see runInCliContext). */
export function withCli<T>(run: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  return runInCliContext(
    {
      service: 'dbu',
      loadConfig: () => loadDbuConfig(),
      connect: (config) => connectDbu(config, 'cli'),
      module: (config, dataSource, logger) => CliModule.forRoot(config, dataSource, logger),
    },
    run,
  );
}
