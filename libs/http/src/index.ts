export {
  ApiException,
  ConflictApiException,
  FieldValidationException,
  NotFoundApiException,
  RateLimitedException,
} from './api.exception';
export type { ErrorBody, FieldError } from './api.exception';
export { AllExceptionsFilter } from './all-exceptions.filter';
export { createValidationPipe, validationException } from './validation';
export { createWebApp } from './create-web-app';
export type { WebAppOptions } from './create-web-app';
export { HEALTH_OPTIONS, HealthController } from './health.controller';
export type { HealthOptions } from './health.controller';
