import { z } from 'zod';
import { setting } from './schema-helpers';

/**
 * The settings every PostgreSQL + RabbitMQ backed web service (DBU, IM) shares, so they are named,
 * parsed and defaulted the same way everywhere; each service spreads them into its schema.
 */
export function databaseServiceSettings(ports: { port: number; metricsPort: number }) {
  return {
    PORT: setting.port(ports.port),
    LOG_LEVEL: setting.logLevel(),
    DATABASE_URL: setting.postgresUrl(),
    DB_POOL_SIZE: setting.int(10, 1),
    /** Create the database if missing (development); never in production. */
    DB_CREATE_IF_MISSING: setting.bool(false),
    RABBITMQ_URL: setting.amqpUrl().default('amqp://guest:guest@127.0.0.1:5672'),
    TRUST_PROXY: setting.int(0),
    INTERNAL_ALLOWED_IPS: setting.cidrList(),
    ADMIN_ALLOWED_IPS: setting.cidrList(),
    AUTH_TOKEN_CACHE_TTL: setting.durationMs('30s'),
    BODY_LIMIT: setting.bytes('1mb'),
    /** Statement timeouts by process: web answers people and programs, workers import and sync. */
    DB_STATEMENT_TIMEOUT_WEB: setting.durationMs('15s'),
    DB_STATEMENT_TIMEOUT_WORKER: setting.durationMs('30m'),
    DB_STATEMENT_TIMEOUT_MIGRATE: setting.durationMs('2h'),
    /** A transaction left open this long ends its session (its locks are released). */
    DB_IDLE_IN_TRANSACTION_TIMEOUT: setting.durationMs('60s'),
    METRICS_PORT: setting.port(ports.metricsPort),
    /** `production` turns on what development does without (the session cookie's Secure flag). */
    NODE_ENV: setting.nodeEnv(),
    /** Where people and programs reach the service (https://dbu.example.com): links and the Origin check of sessions. */
    PUBLIC_BASE_URL: setting.url().optional(),
    /** The staff admin's built files (`apps/admin/dist`); the images set `/app/admin`. Default: this checkout's. */
    ADMIN_DIST_DIR: z.string().min(1).optional(),
    /** Lifetime of a token issued by a password login; a user keeps LOGIN_TOKENS_PER_USER live ones. */
    TOKEN_TTL: setting.durationMs('30d'),
    LOGIN_TOKENS_PER_USER: setting.int(5, 1),
    /** People's sessions (the admin UI): idle and absolute lifetimes. */
    SESSION_IDLE_TIMEOUT: setting.durationMs('30m'),
    SESSION_MAX_AGE: setting.durationMs('12h'),
    /** The audit trail keeps rows this long, and client addresses this long. */
    AUDIT_RETENTION: setting.durationMs('400d'),
    AUDIT_IP_RETENTION: setting.durationMs('90d'),
    /** On SIGTERM: stay up but not ready this long (the proxy stops routing), then finish in-flight work within DRAIN_TIMEOUT. */
    DRAIN_DELAY: setting.durationMs('5s'),
    DRAIN_TIMEOUT: setting.durationMs('25s'),
    /** Shared state of the replicas (the API rate limits); unset = each process counts alone. */
    REDIS_URL: setting.redisUrl().optional(),
    /** Starts every key this deployment writes to Redis (several deployments may share one Redis). */
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[a-z0-9_.-]{1,40}$/i, 'letters, digits, _ . - (1-40)')
      .default('pjs'),
    /** API requests per window per token and per client address; 0 disables. */
    RATE_LIMIT_PER_TOKEN: setting.int(600),
    RATE_LIMIT_PER_IP: setting.int(1200),
    RATE_LIMIT_WINDOW: setting.durationMs('1m'),
    /** The first answer of a write with an Idempotency-Key is replayed this long; the web process forgets older ones every IDEMPOTENCY_SWEEP_INTERVAL. */
    IDEMPOTENCY_RETENTION: setting.durationMs('7d'),
    IDEMPOTENCY_SWEEP_INTERVAL: setting.durationMs('1h'),
  };
}

/** The API rate limits of a service, as the rate-limit library takes them. */
export function rateLimitSettings(
  service: string,
  config: {
    RATE_LIMIT_PER_TOKEN: number;
    RATE_LIMIT_PER_IP: number;
    RATE_LIMIT_WINDOW: number;
    REDIS_URL?: string;
    REDIS_KEY_PREFIX: string;
  },
) {
  return {
    keyPrefix: `${config.REDIS_KEY_PREFIX}:${service}`,
    perToken: config.RATE_LIMIT_PER_TOKEN,
    perIp: config.RATE_LIMIT_PER_IP,
    windowMs: config.RATE_LIMIT_WINDOW,
    redisUrl: config.REDIS_URL,
  };
}

/** How a web process stops, from DRAIN_DELAY and DRAIN_TIMEOUT. */
export function drainSettings(config: { DRAIN_DELAY: number; DRAIN_TIMEOUT: number }) {
  return { drainDelayMs: config.DRAIN_DELAY, drainTimeoutMs: config.DRAIN_TIMEOUT };
}

/** The Idempotency-Key settings of a service, as the idempotency library takes them. */
export function idempotencySettings(config: { IDEMPOTENCY_RETENTION: number; IDEMPOTENCY_SWEEP_INTERVAL: number }) {
  return { retentionMs: config.IDEMPOTENCY_RETENTION, sweepIntervalMs: config.IDEMPOTENCY_SWEEP_INTERVAL };
}

/** The account settings of a service, as the auth library takes them. */
export function accountSettings(config: {
  NODE_ENV: 'production' | 'development' | 'test';
  PUBLIC_BASE_URL?: string;
  AUTH_TOKEN_CACHE_TTL: number;
  TOKEN_TTL: number;
  LOGIN_TOKENS_PER_USER: number;
  SESSION_IDLE_TIMEOUT: number;
  SESSION_MAX_AGE: number;
  AUDIT_RETENTION: number;
  AUDIT_IP_RETENTION: number;
}) {
  return {
    tokenCacheTtlMs: config.AUTH_TOKEN_CACHE_TTL,
    loginTokenTtlMs: config.TOKEN_TTL,
    loginTokensPerUser: config.LOGIN_TOKENS_PER_USER,
    sessionIdleMs: config.SESSION_IDLE_TIMEOUT,
    sessionMaxAgeMs: config.SESSION_MAX_AGE,
    secureCookies: config.NODE_ENV === 'production',
    allowedOrigins: config.PUBLIC_BASE_URL ? [config.PUBLIC_BASE_URL] : [],
    audit: { retentionMs: config.AUDIT_RETENTION, ipRetentionMs: config.AUDIT_IP_RETENTION },
  };
}

/**
 * The address allowlists of a web service: `INTERNAL_ALLOWED_IPS` and `ADMIN_ALLOWED_IPS`. In
 * production an empty list lets no one in (an operator opens it explicitly, `0.0.0.0/0,::/0` for
 * everyone); elsewhere an empty list lets everyone in (`pnpm dev` sets loopback for the admin list).
 * nginx renders its own allowlists from the same two settings (infrastructure-stack/nginx).
 */
export function addressAllowlists(config: {
  NODE_ENV: 'production' | 'development' | 'test';
  INTERNAL_ALLOWED_IPS: string[];
  ADMIN_ALLOWED_IPS: string[];
}) {
  return {
    internalAllowedIps: config.INTERNAL_ALLOWED_IPS,
    adminAllowedIps: config.ADMIN_ALLOWED_IPS,
    emptyAllowlist: config.NODE_ENV === 'production' ? ('deny-all' as const) : ('allow-all' as const),
  };
}

/** The database timeouts of one kind of process, from the shared settings. */
export function databaseTimeouts(
  config: {
    DB_STATEMENT_TIMEOUT_WEB: number;
    DB_STATEMENT_TIMEOUT_WORKER: number;
    DB_STATEMENT_TIMEOUT_MIGRATE: number;
    DB_IDLE_IN_TRANSACTION_TIMEOUT: number;
  },
  process: 'web' | 'worker' | 'migrate',
): { statementTimeoutMs: number; idleInTransactionTimeoutMs: number } {
  const statement = {
    web: config.DB_STATEMENT_TIMEOUT_WEB,
    worker: config.DB_STATEMENT_TIMEOUT_WORKER,
    migrate: config.DB_STATEMENT_TIMEOUT_MIGRATE,
  }[process];
  return { statementTimeoutMs: statement, idleInTransactionTimeoutMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT };
}
