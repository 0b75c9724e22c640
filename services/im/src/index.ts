/**
 * @pjs/im's public entry: what other packages (benchmarks, other services' tests) may use.
 * Processes start from main.ts (im-web), worker.ts (im-worker) and cli.ts (`pnpm im`).
 */
export { IM_ACCESS_POLICY } from './access-policy';
export { imConfigSpec, loadImConfig } from './config/im-config';
export type { ImConfig } from './config/im-config';
export { connectIm } from './database/connect-im';
export { imMigrations } from './database/migrations';
export { buildImWebApp } from './web.bootstrap';
export { imOpenApiDocument } from './openapi-document';
export { buildImWorker } from './worker.bootstrap';
export { createStockService } from './stock/stock-standalone';
export { StockService } from './stock/stock.service';
export type { StockRequest } from './stock/stock.service';
export { StockRepository } from './stock/stock.repository';
export { InsufficientStockException, ItemNotFoundException } from './stock/stock.exception';
