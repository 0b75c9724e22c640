import { authMigrations } from '@pjs/auth';
import { ClusterJobRuns1766800000000 } from '@pjs/database';
import { IdempotencyKeys1765000000003 } from '@pjs/idempotency';
import { MessagingSchema1732200000001 } from '@pjs/messaging';
import { InventorySchema1732400000000 } from './1732400000000-inventory-schema';
import { LedgerTrace1766200000000 } from './1766200000000-ledger-trace';
import { DbuFeedCursor1766300000001 } from './1766300000001-dbu-feed-cursor';
import { ItemPhotoUrls1766400000001 } from './1766400000001-item-photo-urls';

/** Every migration of the im database, in order. Add new ones at the end. */
export const imMigrations = [
  ...authMigrations,
  MessagingSchema1732200000001,
  InventorySchema1732400000000,
  IdempotencyKeys1765000000003,
  LedgerTrace1766200000000,
  DbuFeedCursor1766300000001,
  ClusterJobRuns1766800000000,
  ItemPhotoUrls1766400000001,
];
