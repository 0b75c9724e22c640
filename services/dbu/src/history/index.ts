export { HistoryModule } from './history.module';
export { ProductHistoryRepository } from './product-history.repository';
export { TRACKED_PRODUCT_FIELDS } from './product-history.types';
export type {
  HistoryEntry,
  HistorySource,
  HistorySourceType,
  ProductChange,
  TrackedProductField,
} from './product-history.types';
