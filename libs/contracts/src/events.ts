import { z } from 'zod';

/** Routing keys / event types on the `pjs.events` exchange. */
export const EventTypes = {
  catalogueImported: 'dbu.catalogue.imported',
  syncRequested: 'im.sync.requested',
  orderReceived: 'im.order.received',
} as const;

/** `dbu.catalogue.imported`: after an import commits. */
export const catalogueImportedSchema = z.object({
  import_id: z.string().min(1),
  status: z.string(),
  counts: z.object({
    new: z.number().int().nonnegative(),
    changed: z.number().int().nonnegative(),
    unchanged: z.number().int().nonnegative(),
    invalid: z.number().int().nonnegative(),
  }),
  /** Where to fetch the changed item numbers: `GET /api/products/?changed_in_import=<id>`. */
  changed_items_url: z.string(),
  /** Inlined when small enough (≤ 1000 items), to save a round trip. */
  changed_item_nos: z.array(z.string()).optional(),
});
export type CatalogueImported = z.infer<typeof catalogueImportedSchema>;

/** `im.sync.requested`: from `POST /api/signal/`. */
export const syncRequestedSchema = z.object({
  scope: z.enum(['missing', 'all']).default('missing'),
  item_nos: z.array(z.string()).optional(),
  requested_by: z.string().optional(),
});
export type SyncRequested = z.infer<typeof syncRequestedSchema>;

const numberLike = z.union([z.string(), z.number()]);

/** `im.order.received`: the `/api/receive/` body, published by integrators instead of HTTP. */
export const orderReceivedSchema = z.object({
  order_number: z.union([z.string().min(1).max(100), z.number()]),
  supplier: z.string().max(200).optional(),
  items: z
    .array(
      z.object({
        item_no: z.string().min(1).max(100),
        title: z.string().max(500).optional(),
        price: numberLike.optional(),
        discount: numberLike.optional().nullable(),
        quantity: numberLike,
        uom: z.string().max(20).optional(),
        total: numberLike.optional(),
      }),
    )
    .min(1),
});
export type OrderReceived = z.infer<typeof orderReceivedSchema>;
