import { Module } from '@nestjs/common';
import { DBU_CONFIG } from '../config/dbu-config';
import { safeFetchProvider } from '../shared/safe-fetch.provider';
import { PhotoFetcher } from './photo-fetcher';
import { PHOTO_OPTIONS, photoOptions } from './photo.options';
import { PhotoRepository } from './photo.repository';
import { PhotoService } from './photo.service';

/** Product photos fetched into MEDIA_DIR (dbu-worker and the CLI's fetch-photos). */
@Module({
  providers: [
    { provide: PHOTO_OPTIONS, inject: [DBU_CONFIG], useFactory: photoOptions },
    safeFetchProvider,
    PhotoRepository,
    PhotoFetcher,
    PhotoService,
  ],
  exports: [PHOTO_OPTIONS, PhotoService],
})
export class PhotosModule {}
