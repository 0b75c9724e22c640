import { Inject, Injectable } from '@nestjs/common';
import { probe, type ProbeResult } from './probe';
import { publicUrl, type StatusTarget } from './status-target';
import { targetLatency, targetUp } from './status.metrics';

export const STATUS_OPTIONS = Symbol('STATUS_OPTIONS');

export interface StatusOptions {
  targets: readonly StatusTarget[];
  timeoutMs: number;
}

export type OverallStatus = 'ok' | 'degraded' | 'down';

export interface StatusReport {
  status: OverallStatus;
  checked_at: string;
  targets: ({ name: string; url: string } & ProbeResult)[];
}

/** Probes every target concurrently, so the answer takes one timeout at most, not their sum. */
@Injectable()
export class StatusService {
  private readonly up = targetUp();
  private readonly latency = targetLatency();

  constructor(@Inject(STATUS_OPTIONS) private readonly options: StatusOptions) {}

  async check(): Promise<StatusReport> {
    const results = await Promise.all(this.options.targets.map((t) => probe(t, this.options.timeoutMs)));
    const targets = this.options.targets.map((t, i) => ({ name: t.name, url: publicUrl(t.url), ...results[i] }));
    for (const t of targets) {
      this.up.set({ target: t.name }, t.up ? 1 : 0);
      this.latency.set({ target: t.name }, t.latency_ms / 1000);
    }
    return { status: overall(targets), checked_at: new Date().toISOString(), targets };
  }
}

export function overall(targets: readonly { up: boolean }[]): OverallStatus {
  const up = targets.filter((t) => t.up).length;
  if (up === targets.length) return 'ok';
  return up === 0 ? 'down' : 'degraded';
}
