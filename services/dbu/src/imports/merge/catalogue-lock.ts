import type { SqlExecutor } from '../../shared/sql';

/** Serialises catalogue merges (imports and GPSR runs) across workers and the CLI, until commit. */
export async function lockCatalogueForMerge(tx: SqlExecutor): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('dbu.catalogue.merge'))`);
}
