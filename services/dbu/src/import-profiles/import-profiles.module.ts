import { Module } from '@nestjs/common';
import { ImportProfileRepository } from './import-profile.repository';
import { ImportProfileService } from './import-profile.service';

/** Import profiles: how each wholesaler's files are read, and the settings an import runs with. */
@Module({
  providers: [ImportProfileRepository, ImportProfileService],
  exports: [ImportProfileService],
})
export class ImportProfilesModule {}
