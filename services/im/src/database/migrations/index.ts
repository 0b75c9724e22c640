import { AuthSchema1732200000000 } from '@pjs/auth';
import { MessagingSchema1732200000001 } from '@pjs/messaging';
import { InventorySchema1732400000000 } from './1732400000000-inventory-schema';

/** Every migration of the im database, in order. Add new ones at the end. */
export const imMigrations = [AuthSchema1732200000000, MessagingSchema1732200000001, InventorySchema1732400000000];
