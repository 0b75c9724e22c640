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
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb or 512kb')
      .default('1mb'),
    METRICS_PORT: setting.port(ports.metricsPort),
  };
}
