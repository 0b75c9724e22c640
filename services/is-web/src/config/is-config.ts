import { loadConfig, setting, z, type LoadedConfig } from '@pjs/config';
import { parseTargets } from '../status/status-target';

export const isConfigSpec = {
  project: 'is',
  schema: {
    PORT: setting.port(8000),
    LOG_LEVEL: setting.logLevel(),
    TRUST_PROXY: setting.int(0),
    /** `name=url,...`; http(s) URLs are fetched, `tcp://host:port` connected to. */
    IS_STATUS_TARGETS: z
      .string()
      .default('')
      .transform((value, ctx) => {
        try {
          return parseTargets(value);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      }),
    IS_PROBE_TIMEOUT: setting.durationMs('2s'),
    DRAIN_DELAY: setting.durationMs('5s'),
    DRAIN_TIMEOUT: setting.durationMs('25s'),
    /** How long a status report is reused: the public page cannot make is-web probe more often. */
    IS_PROBE_CACHE: setting.durationMs('5s'),
  },
} as const;

export type IsConfig = LoadedConfig<typeof isConfigSpec.schema>;

export const loadIsConfig = (env?: NodeJS.ProcessEnv): Promise<IsConfig> => loadConfig(isConfigSpec, { env });
