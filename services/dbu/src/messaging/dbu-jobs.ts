import { z } from 'zod';

/**
 * Jobs of dbu-worker, sent through the transactional outbox on the events exchange (so an upload
 * accepted while the broker is down is still imported) and consumed from the worker's queues.
 */
export const DbuJobs = {
  importRequested: 'dbu.import.requested',
  photosRequested: 'dbu.photos.requested',
  categoriesRequested: 'dbu.categories.requested',
} as const;

export const DbuQueues = {
  imports: 'dbu.imports',
  photos: 'dbu.photos',
  categories: 'dbu.categories',
  signal: 'dbu.signal-url',
} as const;

/** `dbu.import.requested`: run the catalogue or GPSR import of a stored upload. */
export const importRequestedSchema = z.object({ import_id: z.string().uuid() });
export type ImportRequested = z.infer<typeof importRequestedSchema>;

/** `dbu.photos.requested`: fetch missing photos (and due retries), or all with `scope: all`. */
export const photosRequestedSchema = z.object({
  scope: z.enum(['missing', 'all']).default('missing'),
  after_item_no: z.string().optional(),
});
export type PhotosRequested = z.infer<typeof photosRequestedSchema>;
