import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from '@pjs/database';
import { NestWinstonLogger, type Logger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import type { ImConfig } from './config/im-config';
import { WorkerModule } from './worker.module';

/** Builds im-worker (consumers started) on a connected data source (worker.ts and the tests). */
export async function buildImWorker(
  config: ImConfig,
  dataSource: DataSource,
  logger: Logger,
): Promise<INestApplicationContext> {
  initMetrics('im-worker');
  return NestFactory.createApplicationContext(WorkerModule.forRoot({ config, dataSource, logger }), {
    logger: new NestWinstonLogger(logger),
  });
}
