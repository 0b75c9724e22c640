import { IMPORT_FIELDS } from '../../catalogue/product-fields';

/**
 * The layout of the staging table (`import_stage`), from the product field table: one text
 * column per field a file can carry, plus the name key of each name (manufacturer, license),
 * which the merge looks names up by.
 */
export const STAGE_VALUE_COLUMNS: readonly string[] = IMPORT_FIELDS.flatMap((f) =>
  f.value === 'name' ? [f.name, `${f.name}_key`] : [f.name],
);

/** COPY order: the source row number, the values, then the reasons and source cells of a rejected row. */
export const STAGE_COPY_COLUMNS: readonly string[] = ['row_no', ...STAGE_VALUE_COLUMNS, 'errors', 'raw'];

/**
 * The fingerprint of a staged row (stored as `products.content_hash`): every content column,
 * names by their key rather than their spelling. An unchanged re-import compares only this.
 */
export const CONTENT_HASH = `md5('v1' || ${IMPORT_FIELDS.map((f) => (f.value === 'name' ? `${f.name}_key` : f.name))
  .map((c) => `E'\\x1f' || coalesce(${c}, E'\\x1e')`)
  .join(' || ')})`;
