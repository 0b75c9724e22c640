export {
  REQUEST_ID_HEADER,
  CORRELATION_HEADER,
  currentCorrelationId,
  newCorrelationId,
  runWithCorrelationId,
  sanitizeCorrelationId,
} from './correlation';
export { createLogger, redactSecrets } from './logger';
export type { Logger, LoggerOptions, ProcessKind } from './logger';
export { NestWinstonLogger } from './nest-logger';
export { requestIdMiddleware } from './request-id.middleware';
export { accessLogMiddleware } from './access-log.middleware';
export { exitOnStartupError } from './fatal';
