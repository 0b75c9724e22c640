import { Module } from '@nestjs/common';
import { PhotosConsumer } from './photos.consumer';
import { PhotosModule } from './photos.module';

/** dbu-worker's photo jobs: after each import and on PHOTOS_SCHEDULE. */
@Module({
  imports: [PhotosModule],
  providers: [PhotosConsumer],
})
export class PhotosWorkerModule {}
