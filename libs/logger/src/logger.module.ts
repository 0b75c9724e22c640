import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from './logger';
import { LOGGER } from './logger.token';

/** Provides the process's logger as `LOGGER` to every module of the app. */
@Global()
@Module({})
export class LoggerModule {
  static forRoot(logger: Logger): DynamicModule {
    return { module: LoggerModule, providers: [{ provide: LOGGER, useValue: logger }], exports: [LOGGER] };
  }
}
