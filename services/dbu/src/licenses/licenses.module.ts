import { Module } from '@nestjs/common';
import { LicenseController } from './license.controller';
import { LicenseRepository } from './license.repository';

@Module({
  controllers: [LicenseController],
  providers: [LicenseRepository],
  exports: [LicenseRepository],
})
export class LicensesModule {}
