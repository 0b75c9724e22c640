import type { CronJob } from 'cron';

/**
 * Half the time between a schedule's next two ticks: the replicas' timers for one tick all fire
 * inside it, the next tick never does (the minimum gap of ClusterJobs.runOnce).
 */
export function minGapOf(job: CronJob): number {
  const [next, after] = job.nextDates(2);
  return Math.max(1000, (after.toMillis() - next.toMillis()) / 2);
}
