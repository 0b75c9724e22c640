import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { queryRows, type SqlExecutor } from '../shared/sql';

export interface CategoryRow {
  id: number;
  name: string;
  parent_id: number | null;
  path: string;
  external_id: string | null;
  position: number;
}

/** All SQL of `categories` (the tree itself is fetched by the worker). */
@Injectable()
export class CategoryRepository {
  constructor(private readonly db: DataSource) {}

  async all(): Promise<CategoryRow[]> {
    return queryRows<CategoryRow>(
      this.db,
      `SELECT id, name, parent_id, path, external_id, position FROM categories ORDER BY position, name, id`,
    );
  }

  /** A category id from an id, a path or an external id; undefined when unknown. */
  async resolve(tx: SqlExecutor, ref: string | number): Promise<number | undefined> {
    const text = String(ref);
    const rows = await queryRows<{ id: number }>(
      tx,
      /^\d{1,9}$/.test(text)
        ? `SELECT id FROM categories WHERE id = $1::int OR external_id = $1 ORDER BY (id = $1::int) DESC LIMIT 1`
        : `SELECT id FROM categories WHERE path = $1 OR external_id = $1 ORDER BY (path = $1) DESC LIMIT 1`,
      [text],
    );
    return rows[0]?.id;
  }

  async byIds(tx: SqlExecutor, ids: readonly number[]): Promise<Map<number, CategoryRow>> {
    if (ids.length === 0) return new Map();
    const rows = await queryRows<CategoryRow>(
      tx,
      `SELECT id, name, parent_id, path, external_id, position FROM categories WHERE id = ANY($1::int[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }
}
