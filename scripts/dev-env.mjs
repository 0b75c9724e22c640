// The development settings of every service: what `pnpm dev` runs them with, and what
// `pnpm dbu|im <command>` use when NODE_ENV is not `production` (the environment always wins).
import { join } from 'node:path';

export function devEnvironment(root, env = process.env) {
  const pgBase = env.DEV_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
  const rabbit = env.DEV_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  // A development-only service account IM uses to read the catalogue.
  const imServiceUser = { username: 'im-service', password: 'im-service-dev-password' };
  const common = {
    LOG_LEVEL: env.LOG_LEVEL ?? 'info',
    RABBITMQ_URL: rabbit,
    ADMIN_ALLOWED_IPS: '127.0.0.1,::1',
    DB_CREATE_IF_MISSING: 'true',
    // Stop at once on Ctrl-C: no load balancer to tell.
    DRAIN_DELAY: '0s',
  };
  return {
    imServiceUser,
    dbu: {
      ...common,
      DATABASE_URL: `${pgBase}/${env.DEV_DBU_DATABASE ?? 'dbu'}`,
      MEDIA_DIR: join(root, 'media', 'dbu'),
    },
    im: {
      ...common,
      DATABASE_URL: `${pgBase}/${env.DEV_IM_DATABASE ?? 'im'}`,
      DBU_BASE_URL: 'http://127.0.0.1:8001',
      DBU_USERNAME: imServiceUser.username,
      DBU_PASSWORD: imServiceUser.password,
    },
  };
}
