import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Scheduled jobs run once per cluster, however many replicas schedule them. A run is claimed by
 * moving the job's `last_started_at` forward in one conditional statement, only when the last claim
 * is older than the job's minimum gap: of the replicas whose timers fire for the same tick, the first
 * claims it and the others find it taken. A session advisory lock held for the run keeps a claim
 * from starting while an earlier, slower run of the same job still goes on.
 */
@Injectable()
export class ClusterJobs {
  /** Names this process in `last_owner` (host and a per-process id). */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(private readonly db: DataSource) {}

  /**
   * Runs `job` unless another process ran `name` less than `minGapMs` ago or is running it now.
   * Answers whether this process ran it. `minGapMs` should be a little below the schedule's period.
   */
  async runOnce(name: string, minGapMs: number, job: () => Promise<void>): Promise<boolean> {
    const session = this.db.createQueryRunner();
    await session.connect();
    try {
      const [{ locked }] = (await session.query(`SELECT pg_try_advisory_lock(hashtext('pjs.job.' || $1)) AS locked`, [
        name,
      ])) as { locked: boolean }[];
      if (!locked) return false;
      try {
        const claimed = (await session.query(
          `INSERT INTO cluster_job_runs AS r (job, last_started_at, last_owner) VALUES ($1, now(), $2)
           ON CONFLICT (job) DO UPDATE SET last_started_at = now(), last_owner = $2
            WHERE r.last_started_at < now() - $3 * interval '1 millisecond'
           RETURNING job`,
          [name, this.owner, minGapMs],
        )) as unknown[];
        if (claimed.length === 0) return false;
        await job();
        await session.query(`UPDATE cluster_job_runs SET last_finished_at = now() WHERE job = $1`, [name]);
        return true;
      } finally {
        await session.query(`SELECT pg_advisory_unlock(hashtext('pjs.job.' || $1))`, [name]);
      }
    } finally {
      await session.release();
    }
  }

  /**
   * Runs `job` every `everyMs` in this process, through runOnce with a gap of 90 % of the interval:
   * however many replicas schedule `name`, one pass runs per interval. The next pass is timed from
   * the end of the last, so passes of one process never overlap.
   */
  schedule(name: string, everyMs: number, job: () => Promise<void>, options: ScheduleOptions): ScheduledClusterJob {
    const minGapMs = Math.floor(everyMs * 0.9);
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    let stopped = false;
    const next = (delayMs: number) => {
      timer = setTimeout(() => {
        running = this.runOnce(name, minGapMs, job)
          .then(() => undefined, options.onError)
          .finally(() => {
            running = undefined;
            if (!stopped) next(everyMs);
          });
      }, delayMs);
      timer.unref();
    };
    next(options.firstDelayMs ?? everyMs);
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        await running;
      },
    };
  }
}

/** A timer started by ClusterJobs.schedule. */
export interface ScheduledClusterJob {
  /** Ends the timer and waits for a pass that is running. */
  stop(): Promise<void>;
}

export interface ScheduleOptions {
  /** Until the first pass (default: the interval). */
  firstDelayMs?: number;
  /** A failed claim or pass; the timer goes on. */
  onError: (err: unknown) => void;
}

/** The claims of ClusterJobs (one row per scheduled job). */
export class ClusterJobRuns1766800000000 implements MigrationInterface {
  name = 'ClusterJobRuns1766800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cluster_job_runs (
        job              varchar(100) PRIMARY KEY,
        last_started_at  timestamptz NOT NULL,
        last_finished_at timestamptz,
        last_owner       varchar(200) NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cluster_job_runs`);
  }
}
