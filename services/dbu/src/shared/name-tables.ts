import { cleanName, nameKey } from '../catalogue/name-key';
import { queryRows, type SqlExecutor } from './sql';

/** Find-or-insert by `name_key` for the small name tables (manufacturers, licenses). */
export async function resolveOrCreateByName(
  tx: SqlExecutor,
  table: 'manufacturers' | 'licenses',
  name: string,
): Promise<number> {
  const key = nameKey(name);
  // Two attempts: a concurrent insert of the same key may be invisible to our first statement.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const rows = await queryRows<{ id: number }>(
      tx,
      `WITH found AS (SELECT id FROM ${table} WHERE name_key = $2),
            ins AS (INSERT INTO ${table} (name, name_key) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM found)
                    ON CONFLICT (name_key) DO NOTHING RETURNING id)
       SELECT id FROM found UNION ALL SELECT id FROM ins`,
      [cleanName(name), key],
    );
    if (rows[0]) return rows[0].id;
  }
  throw new Error(`could not resolve ${table} name "${name}"`);
}

/** The names of some rows of a name table, by id. */
export async function namesByIds(
  tx: SqlExecutor,
  table: 'manufacturers' | 'licenses',
  ids: readonly number[],
): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: number; name: string }>(
    tx,
    `SELECT id, name FROM ${table} WHERE id = ANY($1::int[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}
