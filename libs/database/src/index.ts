export { describeDatabase, withDatabase } from './database-url';
export { assertDatabaseReachable, ensureDatabase, DatabaseUnreachableError } from './fail-fast';
export { createDataSource, runMigrations } from './data-source.factory';
export type { DataSourceSettings } from './data-source.factory';
export { connectDataSource, pingDatabase } from './connect';
export { DataSource, EntityManager } from 'typeorm';
export type { MigrationInterface, QueryRunner } from 'typeorm';
