import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import type { ProgressListener } from './import-progress';
import type { ImportCounts, ImportKind, ImportRunRow } from './import-run.types';

/** What a run of an importer ended with. */
export interface ImportOutcome {
  status: 'succeeded' | 'rejected';
  dryRun: boolean;
  counts: ImportCounts;
  /** Id of the `dbu.catalogue.imported` event written to the outbox (committed imports only). */
  eventId?: string;
}

/** The pipeline of one kind of import (catalogue, GPSR) on a connected query runner. */
export interface KindImporter {
  run(qr: QueryRunner, run: ImportRunRow, listener?: ProgressListener): Promise<ImportOutcome>;
}

/**
 * The importer of each kind of run. Each importer registers itself when its module starts, so
 * the runner knows the catalogue importer next to it and the GPSR importer of the gpsr feature
 * without either folder importing the other.
 */
@Injectable()
export class ImporterRegistry {
  private readonly importers = new Map<ImportKind, KindImporter>();

  register(kind: ImportKind, importer: KindImporter): void {
    if (this.importers.has(kind)) throw new Error(`an importer of kind ${kind} is registered already`);
    this.importers.set(kind, importer);
  }

  get(kind: ImportKind): KindImporter {
    const importer = this.importers.get(kind);
    if (!importer) throw new Error(`no importer of kind ${kind} in this process`);
    return importer;
  }
}
