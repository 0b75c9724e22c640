/**
 * @pjs/dbu's public entry: what other packages (IM's tests, the benchmarks) may use. Anything
 * else under src/ is internal.
 */
export { DBU_ACCESS_POLICY } from './access-policy';
export { buildDbuWebApp } from './web.bootstrap';
export { dbuOpenApiDocument } from './docs/openapi';
export { createWorkerApp } from './worker.bootstrap';
export type { WorkerOptions } from './worker.module';
export { dbuConfigSpec, loadDbuConfig } from './config/dbu-config';
export type { DbuConfig } from './config/dbu-config';
export { connectDbu } from './database/connect-dbu';
export { dbuMigrations } from './database/migrations';
// For bench/dbu-lookup's bare server: the very SQL dbu-web runs.
export { nameKey } from './catalogue/name-key';
export { productDetailQuery, productListQuery } from './products/product.queries';
export type { ProductListFilters } from './products/product.queries';
// For bench/dbu-product-pages: deep cursors without walking a million rows.
export { encodeProductCursor, PRODUCT_ORDERINGS } from './products/product-cursor';
export type { ProductCursor, ProductOrdering } from './products/product-cursor';
// For bench/dbu-import: the import pipeline as the CLI runs it.
export { createImportServices } from './import-services';
export type { ImportServices } from './import-services';
export type { ImportRunRow } from './imports/runs/import-run.types';
