export { ConfigError } from './config.error';
export { loadConfig, loadConfigOrExit, redactConfig, settingSource } from './load-config';
export { readSettingSource } from './env-sources';
export type { SettingSource } from './env-sources';
export type { ConfigSpec, LoadOptions, LoadedConfig } from './load-config';
export { setting, parseDuration, toBlockList } from './schema-helpers';
export {
  accountSettings,
  addressAllowlists,
  databaseServiceSettings,
  databaseTimeouts,
  drainSettings,
  idempotencySettings,
  rateLimitSettings,
} from './service-settings';
export { VaultSession } from './vault.client';
export type { VaultOptions } from './vault.client';
export { z } from 'zod';
