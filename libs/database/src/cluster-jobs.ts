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
