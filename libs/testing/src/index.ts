export { TEST_POSTGRES_URL, createMigratedDatabase, createTestDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { TEST_RABBITMQ_MANAGEMENT_URL, TEST_RABBITMQ_URL, createTestVhost } from './test-vhost';
export type { TestVhost } from './test-vhost';
export { TcpProxy } from './tcp-proxy';
export { waitFor } from './wait-for';
export { createTestUser } from './factories';
export type { TestUser } from './factories';
export { LogCapture } from './log-capture';
export { CATALOGUE_HEADER, catalogueLines, writeCatalogue } from './catalogue-generator';
export type { CatalogueOptions } from './catalogue-generator';
export { createTestWorld } from './test-world';
export type { TestWorld } from './test-world';
/** `node -r TS_REGISTER some/entry.ts`: a child process running our TypeScript sources as Jest does. */
export const TS_REGISTER = require.resolve('../ts-register.js');
export { brokerReadyApp } from './app-lifecycle';
