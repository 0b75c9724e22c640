import { type DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import { GpsrImporter } from '../gpsr/gpsr-importer';
import { ImportProfileRepository } from '../import-profiles/import-profile.repository';
import { ImportProfileService } from '../import-profiles/import-profile.service';
import { CatalogueImporter, type ImportHooks } from './catalogue-importer';
import { ImportRequestService } from './import-request.service';
import { ImportRunRepository } from './import-run.repository';
import { ImportRunner } from './import-runner';
import { MediaStore } from './media-store';

export interface ImportServicesOptions {
  db: DataSource;
  mediaDir: string;
  logger: Logger;
  signalEnabled: boolean;
  maxAttempts: number;
  hooks?: ImportHooks;
  /** Called after an import committed an event (the process's outbox relay looks at once). */
  onCommitted?: () => void;
}

export interface ImportServices {
  media: MediaStore;
  runs: ImportRunRepository;
  profiles: ImportProfileService;
  requests: ImportRequestService;
  runner: ImportRunner;
}

/** The import pipeline's objects, wired the same way for dbu-worker, the CLI and the tests. */
export function createImportServices(options: ImportServicesOptions): ImportServices {
  const media = new MediaStore(options.mediaDir);
  const runs = new ImportRunRepository(options.db);
  const profiles = new ImportProfileService(new ImportProfileRepository(options.db));
  const requests = new ImportRequestService(options.db, runs, profiles);
  const importerOptions = { signalEnabled: options.signalEnabled, hooks: options.hooks };
  const runner = new ImportRunner(
    options.db,
    runs,
    {
      catalogue: new CatalogueImporter(runs, media, options.logger, importerOptions),
      gpsr: new GpsrImporter(runs, media, options.logger, importerOptions),
    },
    options.logger,
    { maxAttempts: options.maxAttempts, onCommitted: options.onCommitted },
  );
  return { media, runs, profiles, requests, runner };
}
