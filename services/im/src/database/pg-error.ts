/** The PostgreSQL error behind a TypeORM QueryFailedError (or a raw pg error). */
export interface PgErrorInfo {
  code?: string;
  constraint?: string;
}

export function pgError(err: unknown): PgErrorInfo {
  if (typeof err !== 'object' || err === null) return {};
  const source = ('driverError' in err ? err.driverError : err) as PgErrorInfo | null;
  return { code: source?.code, constraint: source?.constraint };
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_CHECK_VIOLATION = '23514';
export const PG_NUMERIC_OUT_OF_RANGE = '22003';
