import { authMigrations } from '@pjs/auth';
import { ClusterJobRuns1766800000000 } from '@pjs/database';
import { IdempotencyKeys1765000000003 } from '@pjs/idempotency';
import { MessagingSchema1732200000001 } from '@pjs/messaging';
import { CatalogueSchema1732300000000 } from './1732300000000-catalogue-schema';
import { ImportsSchema1732310000000 } from './1732310000000-imports-schema';
import { ContentHashGuard1732320000000 } from './1732320000000-content-hash-guard';
import { ProductChanges1766300000000 } from './1766300000000-product-changes';
import { ImportReviews1766400000000 } from './1766400000000-import-reviews';
import { ProductListOrderings1766900000000 } from './1766900000000-product-list-orderings';

/** Every migration of the dbu database, in order. Add new ones at the end. */
export const dbuMigrations = [
  ...authMigrations,
  MessagingSchema1732200000001,
  CatalogueSchema1732300000000,
  ImportsSchema1732310000000,
  ContentHashGuard1732320000000,
  IdempotencyKeys1765000000003,
  ProductChanges1766300000000,
  ClusterJobRuns1766800000000,
  ImportReviews1766400000000,
  ProductListOrderings1766900000000,
];
