import { type DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import type { DbuConfig } from '../config/dbu-config';
import { PhotoFetcher } from './photo-fetcher';
import { PhotoRepository } from './photo.repository';
import { PhotoService } from './photo.service';

export type PhotoSettings = Pick<
  DbuConfig,
  'MEDIA_DIR' | 'PHOTO_CONCURRENCY' | 'PHOTO_TIMEOUT' | 'PHOTO_MAX_BYTES' | 'PHOTO_MAX_ATTEMPTS' | 'PHOTO_RETRY_AFTER'
>;

/** The photo fetcher wired from the PHOTO_* settings (worker and CLI). */
export function createPhotoService(db: DataSource, logger: Logger, config: PhotoSettings): PhotoService {
  return new PhotoService(
    db,
    new PhotoRepository(db, config.PHOTO_MAX_ATTEMPTS),
    new PhotoFetcher(config.MEDIA_DIR, { timeoutMs: config.PHOTO_TIMEOUT, maxBytes: config.PHOTO_MAX_BYTES }),
    logger,
    { concurrency: config.PHOTO_CONCURRENCY, retryAfterMs: config.PHOTO_RETRY_AFTER },
  );
}
