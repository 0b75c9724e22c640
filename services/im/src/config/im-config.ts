import { databaseServiceSettings, loadConfig, setting, z, type LoadedConfig } from '@pjs/config';

/** Every setting of im-web, im-worker and the im CLI (see .env.example). */
export const imConfigSpec = {
  project: 'im',
  schema: {
    ...databaseServiceSettings({ port: 8002, metricsPort: 9102 }),
    DBU_BASE_URL: setting.url().default('http://127.0.0.1:8001'),
    DBU_USERNAME: z.string().optional(),
    DBU_PASSWORD: z.string().optional(),
    /** A ready API token for DBU; used instead of DBU_USERNAME/DBU_PASSWORD when set. */
    DBU_TOKEN: z.string().optional(),
    DBU_TIMEOUT: setting.durationMs('5s'),
    DBU_RETRIES: setting.int(3),
    /** Consecutive failures that open the DBU circuit breaker, and how long it stays open. */
    DBU_BREAKER_THRESHOLD: setting.int(5, 1),
    DBU_BREAKER_COOLDOWN: setting.durationMs('30s'),
    SYNC_BATCH_SIZE: setting.int(500, 1),
    /** im-worker: tries of a sync message while DBU is down, then the dead-letter queue. */
    SYNC_MAX_ATTEMPTS: setting.int(30, 1),
    /** im-worker: delay before the 2nd try of a failed sync message; doubles up to SYNC_RETRY_MAX_DELAY. */
    SYNC_RETRY_DELAY: setting.durationMs('5s'),
    SYNC_RETRY_MAX_DELAY: setting.durationMs('5m'),
    /** im-worker: how often it follows DBU's changes feed (also once at start-up), healing lost events. */
    RECONCILE_INTERVAL: setting.durationMs('5m'),
  },
  sensitive: ['DATABASE_URL', 'RABBITMQ_URL', 'REDIS_URL', 'DBU_PASSWORD', 'DBU_TOKEN'],
} as const;

export type ImConfig = LoadedConfig<typeof imConfigSpec.schema>;

export const loadImConfig = (env?: NodeJS.ProcessEnv): Promise<ImConfig> => loadConfig(imConfigSpec, { env });
