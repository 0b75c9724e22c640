import type { FastifyInstance } from 'fastify';
import { counter } from '@pjs/metrics';

export const receiveMetrics = {
  orders: counter<'source' | 'result'>(
    'im_orders_received_total',
    'Orders received, by source (http, amqp, cli) and result (created, duplicate, invalid).',
    ['source', 'result'],
  ),
};

/**
 * Bodies the route's schema refuses never reach ReceiveService; they are invalid orders all the
 * same. Fastify's onError hook runs only for failed requests, so the other routes pay nothing.
 */
export function countRefusedOrderBodies(fastify: FastifyInstance, route: string): void {
  fastify.addHook('onError', (request, _reply, error: { validation?: unknown }, done) => {
    if (error.validation && request.routeOptions.url === route) {
      receiveMetrics.orders.inc({ source: 'http', result: 'invalid' });
    }
    done();
  });
}
