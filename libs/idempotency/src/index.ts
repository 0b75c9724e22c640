export { IdempotencyKeys1765000000003 } from './idempotency.migration';
export { IdempotencyModule } from './idempotency.module';
export { IDEMPOTENCY_LOG, IdempotencyRetention } from './idempotency-retention';
export type { IdempotencyLog } from './idempotency-retention';
export {
  IDEMPOTENCY_OPTIONS,
  IdempotencyKeyReusedException,
  IdempotencyService,
  requestHash,
} from './idempotency.service';
export type { IdempotencyOptions, IdempotentAnswer, IdempotentRequest } from './idempotency.service';
export { IDEMPOTENCY_HEADER, IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from './idempotent-writes';
export type { AnswerOptions } from './idempotent-writes';
