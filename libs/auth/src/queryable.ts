import type { DataSource, EntityManager } from 'typeorm';

/** The data source, or the transaction a change (and its audit row) runs in. */
export type Queryable = Pick<DataSource, 'query'> | Pick<EntityManager, 'query'>;

/** TypeORM answers UPDATE/DELETE as [rows, affected]. */
export type Affected<T> = [T[], number];
