import { Module } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { ImportProfileController } from './import-profile.controller';
import { ImportProfileRepository } from './import-profile.repository';
import { ImportProfileService } from './import-profile.service';

/** Import profiles (web): the CRUD routes and the service imports resolve their settings with. */
@Module({
  controllers: [ImportProfileController],
  providers: [
    {
      provide: ImportProfileRepository,
      inject: [DataSource],
      useFactory: (db: DataSource) => new ImportProfileRepository(db),
    },
    {
      provide: ImportProfileService,
      inject: [ImportProfileRepository],
      useFactory: (repo: ImportProfileRepository) => new ImportProfileService(repo),
    },
  ],
  exports: [ImportProfileService],
})
export class ImportProfilesModule {}
