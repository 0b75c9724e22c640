import type { INestApplicationContext } from '@nestjs/common';
import { runInCliContext } from '@pjs/database';
import { loadImConfig } from '../config/im-config';
import { connectIm } from '../database/connect-im';
import { CliModule } from './cli.module';

/** Runs a `pnpm im` command inside CliModule's application context (see runInCliContext). */
export function withCli<T>(run: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  return runInCliContext(
    {
      service: 'im',
      loadConfig: () => loadImConfig(),
      connect: (config) => connectIm(config, 'cli'),
      module: (config, dataSource, logger) => CliModule.forRoot({ config, dataSource, logger }),
    },
    run,
  );
}
