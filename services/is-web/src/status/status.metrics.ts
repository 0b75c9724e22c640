import { gauge } from '@pjs/metrics';

export const targetUp = () => gauge('is_target_up', '1 when the status target answered healthy', ['target'] as const);
export const targetLatency = () =>
  gauge('is_target_latency_seconds', 'Latency of the last probe of the target', ['target'] as const);
