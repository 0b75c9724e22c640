export {
  REQUEST_ID_HEADER,
  CORRELATION_HEADER,
  currentCorrelationContext,
  currentCorrelationId,
  newCorrelationId,
  runInCorrelationContext,
  runWithCorrelationId,
  sanitizeCorrelationId,
} from './correlation';
export type { ActingPrincipal, CorrelationContext } from './correlation';
export { createLogger, loggerDestination, redactSecrets } from './logger';
export type { Logger, LoggerOptions, ProcessKind } from './logger';
export { AccessLog } from './access-log';
export type { AccessRecord } from './access-log';
export { NestWinstonLogger } from './nest-logger';
export { exitOnStartupError } from './fatal';
export { InjectLogger, LOGGER } from './logger.token';
export { LoggerModule } from './logger.module';
