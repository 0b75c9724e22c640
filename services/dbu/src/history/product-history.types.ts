import { PRODUCT_COLUMNS } from '../catalogue/product-fields';

/** Where a change came from: an import run, an API token, an e-mailed order, or the system. */
export type HistorySourceType = 'import' | 'api' | 'email' | 'system';

export interface HistorySource {
  type: HistorySourceType;
  /** Import id, API token name, or e-mail order number. */
  ref?: string | null;
  /** Who: the user behind the token, the import's uploader, … */
  actor?: string | null;
}

/**
 * The product columns whose changes are recorded, one history row per changed column, in the
 * order of the product field table. Field names are the column names, so `old_value` /
 * `new_value` are the columns' text forms.
 */
export const TRACKED_PRODUCT_FIELDS: readonly string[] = PRODUCT_COLUMNS.map((c) => c.name);

/**
 * One product before and after a change, each as the text of `to_jsonb(products_row)` (select
 * it as `to_jsonb(p)::text` so numerics keep their scale). `before` is null for a new product.
 */
export interface ProductChange {
  item_no: string;
  before: string | null;
  after: string;
}

/** A stored history row as the API shows it. */
export interface HistoryEntry {
  id: number;
  field: string;
  old_value: string | null;
  new_value: string | null;
  source: { type: HistorySourceType; ref: string | null };
  actor: string | null;
  changed_at: string;
}
