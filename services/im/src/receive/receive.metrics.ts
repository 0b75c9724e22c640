import { counter } from '@pjs/metrics';

export const receiveMetrics = {
  orders: counter<'source' | 'result'>(
    'im_orders_received_total',
    'Orders received, by source (http, amqp, cli) and result (created, duplicate, invalid).',
    ['source', 'result'],
  ),
};
