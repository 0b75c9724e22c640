import { Module } from '@nestjs/common';
import { ManufacturerRepository } from './manufacturer.repository';

/** Manufacturers by name, for product writes and the history's product states. */
@Module({
  providers: [ManufacturerRepository],
  exports: [ManufacturerRepository],
})
export class ManufacturersModule {}
