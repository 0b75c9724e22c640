import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { DBU_CONFIG, type DbuConfig } from '../config/dbu-config';
import { PHOTOS_DIR, PhotoFilesController } from './photo-files.controller';

/** dbu-web's side of photos: serving the stored files (fetching them is dbu-worker's PhotosModule). */
@Module({
  controllers: [PhotoFilesController],
  providers: [{ provide: PHOTOS_DIR, inject: [DBU_CONFIG], useFactory: (c: DbuConfig) => join(c.MEDIA_DIR, 'photos') }],
})
export class PhotosApiModule {}
