import { Module } from '@nestjs/common';
import { ImportProfileController } from './import-profile.controller';
import { ImportProfilesModule } from './import-profiles.module';

/** dbu-web's `/api/import-profiles/…`. */
@Module({
  imports: [ImportProfilesModule],
  controllers: [ImportProfileController],
})
export class ImportProfilesApiModule {}
