import { createHash } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
import type { DataSource } from '@pjs/database';

/** Anything that runs SQL: a TypeORM DataSource / EntityManager / QueryRunner or a pg client. */
export interface SqlExecutor {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** The rows of a result, whether it came from TypeORM (an array) or pg (`{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] } | null)?.rows ?? [];
}

export async function queryRows<T>(db: SqlExecutor, sql: string, params: unknown[] = []): Promise<T[]> {
  return rowsOf<T>(await db.query(sql, params));
}

/**
 * The pg pool behind a TypeORM data source. Hot read paths query it directly with named
 * (prepared) statements: no query-runner bookkeeping per call, and PostgreSQL plans each statement
 * once per connection.
 */
export function poolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('the data source is not initialised');
  return pool;
}

const statementNames = new Map<string, string>();

/** A named statement for `pool.query`; the name is derived from the text, so equal SQL shares a plan. */
export function prepared(text: string, values: unknown[]): QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `dbu_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    // Texts come from a bounded set of filter combinations; the cap only guards against a bug.
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return { name, text, values };
}

/** `2024-05-01T10:00:00.123456Z`: a timestamptz as UTC ISO-8601 text, whatever the session zone. */
export function isoUtc(expression: string): string {
  return `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Escapes LIKE wildcards so user text matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Collects WHERE conditions with numbered parameters. */
export class SqlConditions {
  readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  /** Adds a value and answers its placeholder (`$3`). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  where(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}
