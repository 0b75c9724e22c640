import { AuthSchema1732200000000 } from '@pjs/auth';
import { MessagingSchema1732200000001 } from '@pjs/messaging';
import { CatalogueSchema1732300000000 } from './1732300000000-catalogue-schema';
import { ImportsSchema1732310000000 } from './1732310000000-imports-schema';
import { ContentHashGuard1732320000000 } from './1732320000000-content-hash-guard';

/** Every migration of the dbu database, in order. Add new ones at the end. */
export const dbuMigrations = [
  AuthSchema1732200000000,
  MessagingSchema1732200000001,
  CatalogueSchema1732300000000,
  ImportsSchema1732310000000,
  ContentHashGuard1732320000000,
];
