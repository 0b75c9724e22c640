import { Inject, Injectable } from '@nestjs/common';
import { probe, type ProbeResult } from './probe';
import type { StatusTarget } from './status-target';
import { targetLatency, targetUp } from './status.metrics';

export const STATUS_OPTIONS = Symbol('STATUS_OPTIONS');

export interface StatusOptions {
  targets: readonly StatusTarget[];
  timeoutMs: number;
  /** A report this young is answered again instead of probing (IS_PROBE_CACHE). */
  cacheMs: number;
}

export type OverallStatus = 'ok' | 'degraded' | 'down';

export interface StatusReport {
  status: OverallStatus;
  checked_at: string;
  /** Names and results only: the page is public, the targets' internal URLs are not. */
  targets: ({ name: string } & ProbeResult)[];
}

/**
 * Probes every target concurrently, so the answer takes one timeout at most, not their sum. The
 * page is public: a report is reused for `cacheMs` and callers arriving during a round of probes
 * share it, so no number of visitors makes is-web probe the services more than once per period.
 */
@Injectable()
export class StatusService {
  private readonly up = targetUp();
  private readonly latency = targetLatency();
  private last?: { at: number; report: Promise<StatusReport> };

  constructor(@Inject(STATUS_OPTIONS) private readonly options: StatusOptions) {}

  check(): Promise<StatusReport> {
    const now = Date.now();
    if (this.last && now - this.last.at < this.options.cacheMs) return this.last.report;
    const report = this.probeAll();
    this.last = { at: now, report };
    // A round that fails (it should not: probe never throws) is not kept.
    report.catch(() => (this.last = undefined));
    return report;
  }

  private async probeAll(): Promise<StatusReport> {
    const results = await Promise.all(this.options.targets.map((t) => probe(t, this.options.timeoutMs)));
    const targets = this.options.targets.map((t, i) => ({ name: t.name, ...results[i] }));
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
