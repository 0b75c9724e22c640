export { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
export { connectBroker, isBrokerConnected, rabbitConfig } from './connection';
export type { BrokerSettings } from './connection';
export { ATTEMPTS_HEADER, ERROR_HEADER, PermanentMessageError, startConsumer } from './consumer';
export type { ConsumerDefinition, HandlerOutcome, MessageContext } from './consumer';
export { InvalidMessageError, createEnvelope, envelopeSchema, parseData, parseEnvelope } from './envelope';
export type { Envelope } from './envelope';
export { processOnce } from './idempotency';
export type { OnceResult } from './idempotency';
export { messagingMetrics } from './messaging.metrics';
export { MessagingModule } from './messaging.module';
export { MessagingSchema1732200000001 } from './outbox.migration';
export { OutboxPublishError, OutboxRelay } from './outbox.relay';
export type { EnvelopeSink, OutboxRelayOptions } from './outbox.relay';
export { enqueueEvent } from './outbox.writer';
export { EnvelopePublisher } from './publisher';
export type { PublishOptions } from './publisher';
export {
  DEAD_LETTER_EXCHANGE,
  EVENTS_EXCHANGE,
  RETRY_EXCHANGE,
  deadLetterQueueName,
  declareQueueTopology,
  retryQueueName,
  workQueueArguments,
} from './topology';
export { stopConsuming, stopWorkerOnSignal } from './worker-drain';
export type { WorkerStopOptions } from './worker-drain';
export { DeadLetterQueues } from './dead-letters';
export type { DeadLetter, DeadLetterQueueSummary, DeadLetterSelection } from './dead-letters';
export { registerDeadLetterCommands } from './dead-letter.commands';
export type { CommandLike, DeadLetterCommandOptions } from './dead-letter.commands';
