export { TEST_POSTGRES_URL, createMigratedDatabase, createTestDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { TEST_RABBITMQ_MANAGEMENT_URL, TEST_RABBITMQ_URL, createTestVhost } from './test-vhost';
export type { TestVhost } from './test-vhost';
export { TcpProxy } from './tcp-proxy';
export { waitFor } from './wait-for';
export { createTestUser } from './factories';
export type { TestUser } from './factories';
export { LogCapture } from './log-capture';
