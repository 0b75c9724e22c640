import { counter, gauge, histogram, type Counter, type Gauge, type Histogram } from '@pjs/metrics';

export const messagingMetrics: {
  consumed: () => Counter<'queue' | 'outcome'>;
  deadLettered: () => Counter<'queue'>;
  handleDuration: () => Histogram<'queue'>;
  published: () => Counter;
  backlog: () => Gauge;
  oldestPendingAge: () => Gauge;
} = {
  consumed: () => counter('messages_consumed_total', 'Messages handled by outcome', ['queue', 'outcome'] as const),
  deadLettered: () =>
    counter('messages_dead_lettered_total', 'Messages sent to a dead-letter queue', ['queue'] as const),
  handleDuration: () =>
    histogram('message_handle_duration_seconds', 'Time spent handling one message', ['queue'] as const),
  published: () => counter('outbox_published_total', 'Outbox events published to the broker'),
  backlog: () => gauge('outbox_backlog', 'Outbox events not yet published'),
  oldestPendingAge: () => gauge('outbox_oldest_pending_seconds', 'Age of the oldest unpublished outbox event'),
};
