import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from '@pjs/database';
import { NestWinstonLogger, type Logger } from '@pjs/logger';
import type { DbuConfig } from './config/dbu-config';
import { WorkerModule, type WorkerOptions } from './worker.module';

/** Builds dbu-worker's application context on a connected data source (worker.ts and the tests). */
export async function createWorkerApp(
  config: DbuConfig,
  dataSource: DataSource,
  logger: Logger,
  options: WorkerOptions = {},
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, dataSource, logger, options), {
    logger: new NestWinstonLogger(logger),
  });
  await app.init();
  return app;
}
