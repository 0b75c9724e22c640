import { validateCronExpression } from 'cron';
import { databaseServiceSettings, loadConfig, setting, z, type LoadedConfig } from '@pjs/config';

/** A cron expression (`m h dom mon dow`, optional seconds first), checked at start-up. */
const cronSchedule = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => validateCronExpression(v).valid, { message: 'must be a cron expression like "30 3 * * *"' });

/** Every setting of dbu-web, dbu-worker, dbu-cleanup and the dbu CLI (see .env.example). */
export const dbuConfigSpec = {
  project: 'dbu',
  schema: {
    ...databaseServiceSettings({ port: 8001, metricsPort: 9101 }),
    /** The web shop reads the catalogue from one server through one token: higher limits than IM's. */
    RATE_LIMIT_PER_TOKEN: setting.int(6000),
    RATE_LIMIT_PER_IP: setting.int(12000),
    /** Largest catalogue upload, in bytes (default 512 MB). */
    UPLOAD_LIMIT_BYTES: setting.int(512 * 1024 * 1024, 1),
    MEDIA_DIR: z.string().default('./media'),
    SIGNAL_URL: setting.url().optional(),
    SIGNAL_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    DBU_READER_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    WHOLESALER_CATEGORIES_URL: setting.url().optional(),
    /** Cron expression of the scheduled category refresh (worker). */
    CATEGORIES_SCHEDULE: cronSchedule('0 4 * * *'),
    /** Cron expression of dbu-cleanup's daily run. */
    CLEANUP_SCHEDULE: cronSchedule('30 3 * * *'),
    CLEANUP_OLDER_THAN: setting.durationMs('30d'),
    /** How long the product change log (GET /api/products/changes/) keeps a change; dbu-cleanup removes older ones. */
    CHANGES_RETENTION: setting.durationMs('30d'),
    PHOTO_CONCURRENCY: setting.int(4, 1),
    PHOTO_TIMEOUT: setting.durationMs('15s'),
    PHOTO_MAX_BYTES: setting.int(10 * 1024 * 1024, 1),
    /** Tries of a failing photo before it is given up (reported as failed for good). */
    PHOTO_MAX_ATTEMPTS: setting.int(5, 1),
    /** Wait before a failed photo is tried again; doubles with each failure (capped at 7 days). */
    PHOTO_RETRY_AFTER: setting.durationMs('1h'),
    /** Photos fetched per worker job; the job re-queues itself while more are missing. */
    PHOTO_BATCH_SIZE: setting.int(500, 1),
    /** Fetch the missing photos after every committed import (else only on PHOTOS_SCHEDULE and the CLI). */
    PHOTOS_AFTER_IMPORT: setting.bool(true),
    /** Cron expression of the worker's pass over missing photos and due retries. */
    PHOTOS_SCHEDULE: cronSchedule('15 * * * *'),
    /**
     * Hosts the photo and category fetches may reach although they are not public addresses (tests
     * whose fakes listen on loopback). Empty by default: only public addresses are fetched.
     */
    OUTBOUND_ALLOWED_HOSTS: setting.hostList(),
    /** Time limit of one request to WHOLESALER_CATEGORIES_URL. */
    CATEGORIES_TIMEOUT: setting.durationMs('30s'),
    /** Tries of an import job before it is marked failed (a worker dying mid-way counts as a try). */
    IMPORT_MAX_ATTEMPTS: setting.int(3, 1),
    /** Tries of the SIGNAL_URL POST after an import, with SIGNAL_RETRY_AFTER doubling in between. */
    SIGNAL_MAX_ATTEMPTS: setting.int(10, 1),
    SIGNAL_RETRY_AFTER: setting.durationMs('5s'),
    SIGNAL_TIMEOUT: setting.durationMs('10s'),
  },
  sensitive: ['DATABASE_URL', 'RABBITMQ_URL', 'REDIS_URL', 'SIGNAL_SECRET', 'DBU_READER_PASSWORD'],
} as const;

export type DbuConfig = LoadedConfig<typeof dbuConfigSpec.schema>;

export const loadDbuConfig = (env?: NodeJS.ProcessEnv): Promise<DbuConfig> => loadConfig(dbuConfigSpec, { env });

/** Injection token of the process's validated DbuConfig (provided once, by CoreModule). */
export const DBU_CONFIG = Symbol('DBU_CONFIG');
