export { ConfigError } from './config.error';
export { loadConfig, loadConfigOrExit, redactConfig } from './load-config';
export type { ConfigSpec, LoadOptions, LoadedConfig } from './load-config';
export { setting, parseDuration, toBlockList } from './schema-helpers';
export { databaseServiceSettings } from './service-settings';
export { VaultSession } from './vault.client';
export type { VaultOptions } from './vault.client';
export { z } from 'zod';
