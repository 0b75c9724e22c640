import { Injectable } from '@nestjs/common';
import { namesByIds, resolveOrCreateByName } from '../shared/name-tables';
import type { SqlExecutor } from '../shared/sql';

/** Manufacturer lookups for product writes (GPSR data itself is maintained by the worker). */
@Injectable()
export class ManufacturerRepository {
  /** The id of the manufacturer with this name (by name key), created without GPSR data if new. */
  resolveOrCreate(tx: SqlExecutor, name: string): Promise<number> {
    return resolveOrCreateByName(tx, 'manufacturers', name);
  }

  namesByIds(tx: SqlExecutor, ids: readonly number[]): Promise<Map<number, string>> {
    return namesByIds(tx, 'manufacturers', ids);
  }
}
