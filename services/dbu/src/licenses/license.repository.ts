import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { escapeLike, isoUtc, queryRows, type SqlExecutor } from '../shared/sql';
import { namesByIds, resolveOrCreateByName } from '../shared/name-tables';

export interface LicenseRow {
  id: number;
  name: string;
  created_at: string;
}

/** All SQL of `licenses`. */
@Injectable()
export class LicenseRepository {
  constructor(private readonly db: DataSource) {}

  async page(options: {
    search?: string;
    limit: number;
    offset: number;
  }): Promise<{ count: number; rows: LicenseRow[] }> {
    const search = options.search === undefined ? null : `%${escapeLike(options.search)}%`;
    const [counted, rows] = await Promise.all([
      queryRows<{ n: number }>(
        this.db,
        `SELECT count(*)::int AS n FROM licenses WHERE $1::text IS NULL OR name ILIKE $1`,
        [search],
      ),
      queryRows<LicenseRow>(
        this.db,
        `SELECT id, name, ${isoUtc('created_at')} AS created_at FROM licenses
          WHERE $1::text IS NULL OR name ILIKE $1
          ORDER BY name_key, id LIMIT $2 OFFSET $3`,
        [search, options.limit, options.offset],
      ),
    ]);
    return { count: counted[0]?.n ?? 0, rows };
  }

  resolveOrCreate(tx: SqlExecutor, name: string): Promise<number> {
    return resolveOrCreateByName(tx, 'licenses', name);
  }

  namesByIds(tx: SqlExecutor, ids: readonly number[]): Promise<Map<number, string>> {
    return namesByIds(tx, 'licenses', ids);
  }
}
