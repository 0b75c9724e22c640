import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from '@pjs/database';
import { isoUtc, queryRows, type SqlExecutor } from '../shared/sql';
import type { ImportProfile, ImportProfileValues } from './import-profile.types';

const COLUMNS = `id, name, wholesaler, delimiter, decimal_separator, date_format, encoding, sheet_name, column_map,
  is_default, ${isoUtc('created_at')} AS created_at, ${isoUtc('updated_at')} AS updated_at`;
const WRITABLE = [
  'name',
  'wholesaler',
  'delimiter',
  'decimal_separator',
  'date_format',
  'encoding',
  'sheet_name',
  'column_map',
  'is_default',
] as const;

/** Thrown when another profile already has the name. */
export class DuplicateProfileNameError extends Error {}

/** All SQL of `import_profiles`. */
@Injectable()
export class ImportProfileRepository {
  constructor(private readonly db: DataSource) {}

  async list(): Promise<ImportProfile[]> {
    return queryRows<ImportProfile>(this.db, `SELECT ${COLUMNS} FROM import_profiles ORDER BY name`);
  }

  async get(id: number, tx?: SqlExecutor): Promise<ImportProfile | undefined> {
    const rows = await queryRows<ImportProfile>(tx ?? this.db, `SELECT ${COLUMNS} FROM import_profiles WHERE id = $1`, [
      id,
    ]);
    return rows[0];
  }

  async byName(name: string): Promise<ImportProfile | undefined> {
    const rows = await queryRows<ImportProfile>(this.db, `SELECT ${COLUMNS} FROM import_profiles WHERE name = $1`, [
      name,
    ]);
    return rows[0];
  }

  async getDefault(): Promise<ImportProfile | undefined> {
    const rows = await queryRows<ImportProfile>(this.db, `SELECT ${COLUMNS} FROM import_profiles WHERE is_default`);
    return rows[0];
  }

  /** Writes in `outer` (the caller's transaction) when given, as the other writes do. */
  async create(values: ImportProfileValues, outer?: EntityManager): Promise<ImportProfile> {
    const id = await this.write(
      outer,
      async (tx) => {
        const params = WRITABLE.map((c) => param(c, values[c]));
        const rows = await queryRows<{ id: number }>(
          tx,
          `INSERT INTO import_profiles (${WRITABLE.join(', ')}) VALUES (${WRITABLE.map((_, i) => `$${i + 1}`).join(', ')})
         RETURNING id`,
          params,
        );
        return rows[0].id;
      },
      values.is_default,
    );
    return (await this.get(id, outer))!;
  }

  /** Answers undefined when there is no such profile. */
  async update(
    id: number,
    values: Partial<ImportProfileValues>,
    outer?: EntityManager,
  ): Promise<ImportProfile | undefined> {
    const columns = WRITABLE.filter((c) => values[c] !== undefined);
    const found = await this.write(
      outer,
      async (tx) => {
        const sets = columns.map((c, i) => `${c} = $${i + 2}`);
        const rows = await queryRows<{ id: number }>(
          tx,
          `WITH upd AS (
           UPDATE import_profiles SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING id
         ) SELECT id FROM upd`,
          [id, ...columns.map((c) => param(c, values[c]))],
        );
        return rows[0]?.id;
      },
      values.is_default === true,
      id,
    );
    return found === undefined ? undefined : this.get(found, outer);
  }

  async remove(id: number, outer?: EntityManager): Promise<boolean> {
    const rows = await queryRows(
      outer ?? this.db,
      `WITH del AS (DELETE FROM import_profiles WHERE id = $1 RETURNING id) SELECT id FROM del`,
      [id],
    );
    return rows.length > 0;
  }

  /** Runs a write; a new default profile takes the flag from the previous one in the same transaction. */
  private async write<T>(
    outer: EntityManager | undefined,
    work: (tx: SqlExecutor) => Promise<T>,
    makesDefault: boolean,
    id?: number,
  ): Promise<T> {
    try {
      return await (outer ?? this.db.manager).transaction(async (tx) => {
        if (makesDefault) {
          await tx.query(`UPDATE import_profiles SET is_default = false WHERE is_default AND id IS DISTINCT FROM $1`, [
            id ?? null,
          ]);
        }
        return work(tx);
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new DuplicateProfileNameError();
      throw err;
    }
  }
}

function param(column: (typeof WRITABLE)[number], value: unknown): unknown {
  return column === 'column_map' ? JSON.stringify(value ?? {}) : (value ?? null);
}
