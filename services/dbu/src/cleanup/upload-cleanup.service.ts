import { readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@pjs/logger';
import { counter } from '@pjs/metrics';
import { ImportRunRepository } from '../imports/runs/import-run.repository';
import { MediaStore } from '../imports/upload/media-store';

export interface CleanupResult {
  scanned: number;
  deleted: number;
  bytesFreed: number;
  /** Old enough, but a queued or running import still needs them. */
  keptForLiveImports: number;
  dryRun: boolean;
}

const SHA256 = /^[0-9a-f]{64}$/;
const removed = () => counter('dbu_uploads_cleaned_total', 'Upload files deleted by cleanup-uploads');

/**
 * `cleanup-uploads`: deletes upload files (and abandoned partial uploads and scratch files) older than the
 * threshold unless a queued or running import needs them. Database records are never touched:
 * the import runs stay, showing the file as no longer stored.
 */
@Injectable()
export class UploadCleanupService {
  constructor(
    private readonly media: MediaStore,
    private readonly runs: ImportRunRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    // Registered at start, so dbu-cleanup's scrape has the series (0) before the first run.
    removed();
  }

  async cleanup(options: { olderThanMs: number; dryRun?: boolean; now?: number }): Promise<CleanupResult> {
    const cutoff = (options.now ?? Date.now()) - options.olderThanMs;
    const live = await this.runs.liveFileHashes();
    const result: CleanupResult = {
      scanned: 0,
      deleted: 0,
      bytesFreed: 0,
      keptForLiveImports: 0,
      dryRun: !!options.dryRun,
    };
    for (const dir of await entries(this.media.uploadsDir)) {
      const path = join(this.media.uploadsDir, dir);
      const files = await entries(path);
      for (const name of files) {
        // tmp/ holds partial uploads and the scratch files of imports a crash left behind.
        const partial = dir === 'tmp';
        if (!partial && !SHA256.test(name)) continue;
        const file = join(path, name);
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) continue;
        result.scanned += 1;
        if (info.mtimeMs >= cutoff) continue;
        if (!partial && live.has(name)) {
          result.keptForLiveImports += 1;
          continue;
        }
        if (!options.dryRun) {
          try {
            await unlink(file);
          } catch (err) {
            this.logger.warn('could not delete an upload', { file, err });
            continue;
          }
          removed().inc();
        }
        result.deleted += 1;
        result.bytesFreed += info.size;
      }
      if (!options.dryRun && dir !== 'tmp') await rmdir(path).catch(() => undefined); // only when empty
    }
    this.logger.info('cleanup-uploads done', { ...result, older_than_ms: options.olderThanMs });
    return result;
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
}
