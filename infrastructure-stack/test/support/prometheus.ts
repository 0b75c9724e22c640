import path from 'node:path';
import { readYaml } from './files';
import { INFRA_DIR } from './tools';

interface ScrapeSecrets {
  job_name: string;
  authorization?: { credentials_file?: string };
  tls_config?: { ca_file?: string };
}

/** Files prometheus.yml reads per scrape (tokens, CAs), relative to prometheus.yml as it names them. */
export function credentialFiles(): string[] {
  const config = readYaml<{ scrape_configs: ScrapeSecrets[] }>(path.join(INFRA_DIR, 'prometheus/prometheus.yml'));
  return config.scrape_configs.flatMap((j) =>
    [j.authorization?.credentials_file, j.tls_config?.ca_file].filter((f): f is string => f !== undefined),
  );
}
