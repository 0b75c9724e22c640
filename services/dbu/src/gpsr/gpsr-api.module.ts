import { Module } from '@nestjs/common';
import { ImportsApiModule } from '../imports/imports-api.module';
import { GpsrController } from './gpsr.controller';

/** dbu-web's `POST /api/gpsr/`: a GPSR spreadsheet, queued as an import run of kind gpsr. */
@Module({
  imports: [ImportsApiModule],
  controllers: [GpsrController],
})
export class GpsrApiModule {}
