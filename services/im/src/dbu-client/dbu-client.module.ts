import { Module } from '@nestjs/common';
import { settingSource } from '@pjs/config';
import type { ImConfig } from '../config/im-config';
import { IM_CONFIG } from '../core/core.tokens';
import { DBU_CLIENT_OPTIONS, DbuClient, type DbuClientOptions } from './dbu-client';

/** DBU's address, credentials, timeouts and circuit breaker, from the DBU_* settings. */
export function dbuClientOptions(config: ImConfig): DbuClientOptions {
  return {
    baseUrl: config.DBU_BASE_URL,
    username: config.DBU_USERNAME,
    password: config.DBU_PASSWORD,
    token: config.DBU_TOKEN,
    tokenFrom: settingSource(config, 'DBU_TOKEN'),
    timeoutMs: config.DBU_TIMEOUT,
    retries: config.DBU_RETRIES,
    breakerThreshold: config.DBU_BREAKER_THRESHOLD,
    breakerCooldownMs: config.DBU_BREAKER_COOLDOWN,
  };
}

/** The HTTP client of DBU's catalogue API: one per process, shared by the modules that import it. */
@Module({
  providers: [{ provide: DBU_CLIENT_OPTIONS, inject: [IM_CONFIG], useFactory: dbuClientOptions }, DbuClient],
  exports: [DbuClient],
})
export class DbuClientModule {}
