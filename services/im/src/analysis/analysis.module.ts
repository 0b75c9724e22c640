import { Module } from '@nestjs/common';
import { AnalysisRepository } from './analysis.repository';

/** Upcoming payments per release month (the data of `/analysis/`). */
@Module({
  providers: [AnalysisRepository],
  exports: [AnalysisRepository],
})
export class AnalysisModule {}
