import { Module } from '@nestjs/common';
import { ChangesModule } from './changes.module';
import { ProductChangeController } from './product-change.controller';

/** dbu-web's `GET /api/products/changes/`. */
@Module({
  imports: [ChangesModule],
  controllers: [ProductChangeController],
})
export class ChangesApiModule {}
