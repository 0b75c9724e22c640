import { Module, type DynamicModule } from '@nestjs/common';
import { AuthCoreModule } from '@pjs/auth';
import { accountSettings } from '@pjs/config';
import { IM_ACCESS_POLICY } from '../access-policy';
import { CoreModule, type CoreOptions } from '../core/core.module';
import { ReceiveModule } from '../receive/receive.module';
import { imAuditOptions } from '../stock/stock-ledger.audit';
import { SyncModule } from '../sync/sync.module';

/** `pnpm im <command>`: users, receiving from files and the DBU sync, without HTTP or broker. */
@Module({})
export class CliModule {
  static forRoot(core: CoreOptions): DynamicModule {
    return {
      module: CliModule,
      imports: [
        CoreModule.forRoot(core),
        AuthCoreModule.forRoot({
          policy: IM_ACCESS_POLICY,
          ...accountSettings(core.config),
          audit: imAuditOptions(core.config),
        }),
        ReceiveModule,
        SyncModule,
      ],
    };
  }
}
