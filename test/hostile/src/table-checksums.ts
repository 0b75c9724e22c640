import type { DataSource } from '@pjs/database';

/**
 * A checksum per table of the public schema (every row's text, order-independent), except the tables
 * a refused request writes on purpose: the audit trail, the login throttle, token use times, the
 * rate-limit and idempotency bookkeeping.
 */
export async function tableChecksums(db: DataSource, ignore: readonly string[]): Promise<Record<string, string>> {
  const tables: { name: string }[] = await db.query(
    `SELECT quote_ident(table_name) AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const wanted = tables.filter(({ name }) => !ignore.some((prefix) => name.replace(/"/g, '').startsWith(prefix)));
  if (wanted.length === 0) return {};
  // One round trip for all tables.
  const [row] = await db.query(
    `SELECT json_build_object(${wanted
      .map(
        ({ name }) =>
          `'${name.replace(/'/g, "''")}', (SELECT count(*)::text || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM ${name} t)`,
      )
      .join(', ')}) AS sums`,
  );
  const sums = row.sums as Record<string, string>;
  return sums;
}
