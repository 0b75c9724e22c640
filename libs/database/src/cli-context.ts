import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@pjs/config';
import { createLogger, NestWinstonLogger, type Logger } from '@pjs/logger';
import type { DataSource } from 'typeorm';

export interface CliContextOptions<C extends { LOG_LEVEL: string }> {
  /** `dbu`, `im`: the CLI's name in messages and logs. */
  service: string;
  loadConfig: () => Promise<C>;
  connect: (config: C) => Promise<DataSource>;
  module: (config: C, dataSource: DataSource, logger: Logger) => DynamicModule;
}

/**
 * Runs a management command inside the service's CLI application context: loads the config (exits
 * 78 naming what is wrong), connects the database, and always closes both. The command's output
 * is for people, on stdout; logs go to stderr, warnings and errors only.
 */
export async function runInCliContext<C extends { LOG_LEVEL: string }, T>(
  options: CliContextOptions<C>,
  run: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const config = await loadConfigOrExit(() => options.loadConfig(), options.service);
  const level = ['error', 'warn'].includes(config.LOG_LEVEL) ? config.LOG_LEVEL : 'warn';
  const logger = createLogger({ service: options.service, process: 'cli', level, stream: process.stderr });
  const dataSource = await options.connect(config);
  try {
    const app = await NestFactory.createApplicationContext(options.module(config, dataSource, logger), {
      logger: new NestWinstonLogger(logger),
    });
    try {
      return await run(app);
    } finally {
      await app.close();
    }
  } finally {
    await dataSource.destroy();
  }
}
