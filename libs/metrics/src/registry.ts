import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The one registry of the process; every metric of ours is registered here. */
export const registry = new Registry();
let defaultsStarted = false;

/** Default process metrics (CPU, memory, event loop) with the service label; idempotent. */
export function initMetrics(service: string): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
}

type Labels<L extends string> = readonly L[];

// Getters return the already registered metric, so a module loaded by two apps in one process
// (tests, CLI + web) shares it instead of throwing "already registered".
export function counter<L extends string>(name: string, help: string, labelNames: Labels<L> = []): Counter<L> {
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

export function gauge<L extends string>(
  name: string,
  help: string,
  labelNames: Labels<L> = [],
  collect?: (this: Gauge<L>) => void | Promise<void>,
): Gauge<L> {
  return (
    (registry.getSingleMetric(name) as Gauge<L> | undefined) ??
    new Gauge({ name, help, labelNames, registers: [registry], ...(collect ? { collect } : {}) })
  );
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: Labels<L> = [],
  buckets?: number[],
): Histogram<L> {
  return (
    (registry.getSingleMetric(name) as Histogram<L> | undefined) ??
    new Histogram({ name, help, labelNames, registers: [registry], ...(buckets ? { buckets } : {}) })
  );
}
