import type { DataSource } from '@pjs/database';
import { queryRows } from '../shared/sql';

/** The catalogue tables projects on the same host may read over SQL. Never the auth tables. */
export const READER_TABLES = [
  'products',
  'manufacturers',
  'licenses',
  'categories',
  'product_photos',
  'product_history',
] as const;

/** Tables the reader must never see, revoked explicitly in case someone granted them by hand. */
const PRIVATE_TABLES = ['auth_users', 'auth_tokens', 'outbox_messages', 'processed_messages', 'email_discounts'];

export const DEFAULT_READER_ROLE = 'dbu_reader';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates or updates the read-only login role (password from DBU_READER_PASSWORD) and grants it
 * SELECT on the catalogue tables of this database; idempotent, so `migrate` runs it every time.
 * The role's sessions are read-only by default as a second line of defence.
 */
export async function ensureReaderRole(
  dataSource: DataSource,
  password: string,
  role: string = DEFAULT_READER_ROLE,
): Promise<'created' | 'updated'> {
  if (!ROLE_NAME.test(role)) throw new Error(`invalid role name: ${role}`);
  return dataSource.transaction(async (tx) => {
    const exists = (await queryRows(tx, `SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])).length > 0;
    if (!exists) {
      // Roles are cluster-wide: another database's migrate may create it at the same moment.
      await tx.query(`SAVEPOINT create_role`);
      try {
        await tx.query(`CREATE ROLE "${role}" WITH LOGIN`);
        await tx.query(`RELEASE SAVEPOINT create_role`);
      } catch (err) {
        if ((err as { code?: string }).code !== '42710') throw err;
        await tx.query(`ROLLBACK TO SAVEPOINT create_role`);
      }
    }
    // Role passwords cannot be bind parameters: quote them with format('%L').
    const [statement] = await queryRows<{ sql: string }>(
      tx,
      `SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD %L', $1::text, $2::text) AS sql`,
      [role, password],
    );
    await tx.query(statement.sql);
    const database = (await queryRows<{ db: string }>(tx, `SELECT current_database() AS db`))[0].db;
    await tx.query(`ALTER ROLE "${role}" SET default_transaction_read_only = on`);
    await tx.query(`GRANT CONNECT ON DATABASE "${database.replace(/"/g, '""')}" TO "${role}"`);
    await tx.query(`GRANT USAGE ON SCHEMA public TO "${role}"`);
    await tx.query(`GRANT SELECT ON ${READER_TABLES.join(', ')} TO "${role}"`);
    const present = await queryRows<{ name: string }>(
      tx,
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])`,
      [PRIVATE_TABLES],
    );
    if (present.length) await tx.query(`REVOKE ALL ON ${present.map((t) => t.name).join(', ')} FROM "${role}"`);
    return exists ? 'updated' : 'created';
  });
}
