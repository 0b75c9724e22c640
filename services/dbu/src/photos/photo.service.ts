import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { PhotoFetchError, PhotoFetcher } from './photo-fetcher';
import { photosFetched } from './photo.metrics';
import { PhotoRepository, type PhotoCandidate, type PhotoScope, type PhotoSummary } from './photo.repository';
import { PHOTO_OPTIONS, type PhotoOptions } from './photo.options';

export interface PhotoPassOptions {
  scope: PhotoScope;
  /** Photos to try in this pass (a worker job does a batch, the CLI everything). */
  limit: number;
  /** Continue after this item number (keyset), for a pass split over several jobs. */
  after?: string;
  onProgress?: (done: number) => void;
  /** Stops the pass early (worker shutdown); fetches under way finish. */
  signal?: AbortSignal;
}

export interface PhotoPassResult {
  busy: boolean;
  attempted: number;
  stored: number;
  failed: number;
  failures: { item_no: string; url: string; error: string }[];
  /** Item number to continue after, when the pass stopped at its limit with more to do. */
  continueAfter?: string;
  summary?: PhotoSummary;
}

const PAGE = 200;
const FAILURES_SHOWN = 50;

/**
 * Fetches product photos with bounded concurrency (PHOTO_CONCURRENCY), one pass at a time across
 * processes; failures are recorded with their reason and retried in a later pass.
 */
@Injectable()
export class PhotoService {
  constructor(
    private readonly db: DataSource,
    private readonly photos: PhotoRepository,
    private readonly fetcher: PhotoFetcher,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PHOTO_OPTIONS) private readonly settings: Pick<PhotoOptions, 'concurrency' | 'retryAfterMs'>,
  ) {}

  countCandidates(scope: PhotoScope): Promise<number> {
    return this.photos.countCandidates(scope);
  }

  async pass(options: PhotoPassOptions): Promise<PhotoPassResult> {
    const lock = this.db.createQueryRunner();
    await lock.connect();
    try {
      if (!(await this.photos.tryLock(lock))) {
        return { busy: true, attempted: 0, stored: 0, failed: 0, failures: [] };
      }
      try {
        return await this.run(options);
      } finally {
        await this.photos.unlock(lock).catch(() => undefined);
      }
    } finally {
      await lock.release();
    }
  }

  private async run(options: PhotoPassOptions): Promise<PhotoPassResult> {
    const result: PhotoPassResult = { busy: false, attempted: 0, stored: 0, failed: 0, failures: [] };
    let after = options.after ?? '';
    for (;;) {
      if (options.signal?.aborted) {
        result.continueAfter = after;
        break;
      }
      const room = options.limit - result.attempted;
      if (room <= 0) {
        result.continueAfter = after;
        break;
      }
      const page = await this.photos.candidates(options.scope, Math.min(PAGE, room), after);
      if (page.length === 0) break;
      const taken = await this.fetchAll(page, result, options.onProgress, options.signal);
      after = page[taken - 1]?.item_no ?? after;
      if (taken < page.length) {
        // Stopped mid-page: continue right after the last candidate taken, not after the page.
        result.continueAfter = after;
        break;
      }
      if (page.length < Math.min(PAGE, room)) break;
    }
    result.summary = await this.photos.summary();
    this.logger.info('photo pass done', { ...result, failures: result.failures.length });
    return result;
  }

  /** At most `concurrency` downloads at once; answers how many candidates (in page order) were taken. */
  private async fetchAll(
    page: PhotoCandidate[],
    result: PhotoPassResult,
    onProgress?: (done: number) => void,
    signal?: AbortSignal,
  ): Promise<number> {
    let next = 0;
    const worker = async () => {
      while (next < page.length && !signal?.aborted) {
        const candidate = page[next++];
        await this.fetchOne(candidate, result);
        onProgress?.(result.attempted);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, page.length) }, worker));
    return next;
  }

  private async fetchOne(candidate: PhotoCandidate, result: PhotoPassResult): Promise<void> {
    result.attempted += 1;
    try {
      const photo = await this.fetcher.fetch(candidate.url);
      await this.photos.recordStored(candidate, photo);
      result.stored += 1;
      photosFetched().inc({ outcome: 'ok' });
    } catch (err) {
      if (!(err instanceof PhotoFetchError)) throw err;
      await this.photos.recordFailed(candidate, err.message, this.settings.retryAfterMs);
      result.failed += 1;
      photosFetched().inc({ outcome: 'failed' });
      if (result.failures.length < FAILURES_SHOWN) {
        result.failures.push({ item_no: candidate.item_no, url: candidate.url, error: err.message });
      }
    }
  }
}
