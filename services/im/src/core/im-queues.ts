import { EventTypes } from '@pjs/contracts';

/**
 * im-worker's queues on the `pjs.events` exchange. Each has `<queue>.retry` (delayed redelivery)
 * and `<queue>.dlq` (dead letters with the reason in `x-error`); see docs/im.md.
 */
export const ImQueues = {
  /** `im.sync.requested` (POST /api/signal/) → sync-missing-details / refresh all / given items. */
  syncRequests: { queue: 'im.sync-requests', routingKeys: [EventTypes.syncRequested] },
  /** `dbu.catalogue.imported` → refresh the changed items we hold. */
  catalogueUpdates: { queue: 'im.catalogue-updates', routingKeys: [EventTypes.catalogueImported] },
  /** `im.order.received` → the same as POST /api/receive/. */
  orderIntake: { queue: 'im.order-intake', routingKeys: [EventTypes.orderReceived] },
} as const;
