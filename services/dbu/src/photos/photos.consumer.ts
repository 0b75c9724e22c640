import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CronJob } from 'cron';
import { EventTypes } from '@pjs/contracts';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { AmqpConnection, enqueueEvent, parseData, startConsumer, type Envelope } from '@pjs/messaging';
import { DbuJobs, DbuQueues, photosRequestedSchema, type PhotosRequested } from '../messaging/dbu-jobs';
import { OutboxRelayService } from '../messaging/outbox-relay.service';
import { PHOTO_OPTIONS, type PhotoOptions } from './photo.options';
import { PhotoService } from './photo.service';

/**
 * dbu-worker's photo jobs: after every committed import (`dbu.catalogue.imported`) and on
 * PHOTOS_SCHEDULE (due retries), a batch of PHOTO_BATCH_SIZE missing photos per job; a job that
 * stops at its limit queues its continuation, so no single message runs for hours.
 */
@Injectable()
export class PhotosConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private job?: CronJob;
  private readonly stopping = new AbortController();

  constructor(
    private readonly amqp: AmqpConnection,
    private readonly db: DataSource,
    private readonly photos: PhotoService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PHOTO_OPTIONS) private readonly settings: Pick<PhotoOptions, 'batchSize' | 'schedule' | 'afterImport'>,
    @Optional() private readonly relay?: OutboxRelayService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await startConsumer(
      this.amqp,
      {
        queue: DbuQueues.photos,
        routingKeys: this.settings.afterImport
          ? [EventTypes.catalogueImported, DbuJobs.photosRequested]
          : [DbuJobs.photosRequested],
        handle: (envelope) => this.handle(envelope),
      },
      this.logger,
    );
    this.job = CronJob.from({
      cronTime: this.settings.schedule,
      onTick: () =>
        this.request({ scope: 'missing' }).catch((err: unknown) => {
          this.logger.warn('could not queue photos', { err });
        }),
      start: true,
    });
  }

  /**
   * Before the broker connection closes: its close waits for running handlers, so a photo pass
   * must stop first: it finishes the downloads in flight and queues its continuation.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.job?.stop();
  }

  /** Queues a photo job through the outbox. */
  async request(job: PhotosRequested): Promise<void> {
    await this.db.transaction((tx) => enqueueEvent(tx, DbuJobs.photosRequested, job));
    this.relay?.notify();
  }

  private async handle(envelope: Envelope): Promise<void | 'duplicate'> {
    // A binding left from when PHOTOS_AFTER_IMPORT was on still delivers import events: ignored.
    if (envelope.type === EventTypes.catalogueImported && !this.settings.afterImport) return 'duplicate';
    const job: PhotosRequested =
      envelope.type === DbuJobs.photosRequested ? parseData(envelope, photosRequestedSchema) : { scope: 'missing' };
    const result = await this.photos.pass({
      scope: job.scope,
      limit: this.settings.batchSize,
      after: job.after_item_no,
      signal: this.stopping.signal,
    });
    if (result.busy) return 'duplicate'; // the running pass (or the next scheduled one) covers it
    if (result.continueAfter !== undefined)
      await this.request({ scope: job.scope, after_item_no: result.continueAfter });
  }
}
