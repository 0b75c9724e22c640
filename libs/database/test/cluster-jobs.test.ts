import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TS_REGISTER, createTestDatabase, waitFor, type TestDatabase } from '@pjs/testing';
import { ClusterJobRuns1766800000000, ClusterJobs, createDataSource, runMigrations } from '@pjs/database';
import type { DataSource } from 'typeorm';

const run = promisify(execFile);
const REPLICA = join(__dirname, 'fixtures', 'cluster-job.process.ts');

/** A scheduled job whose timer fires on several replicas at once runs once per tick. */
describe('ClusterJobs', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('cluster_jobs');
    dataSource = createDataSource({ url: db.url, poolSize: 3, migrations: [ClusterJobRuns1766800000000] });
    await dataSource.initialize();
    await runMigrations(dataSource);
    await dataSource.query(`CREATE TABLE job_log (id serial PRIMARY KEY, owner text NOT NULL)`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE job_log, cluster_job_runs`);
  });

  it('runs a job started on 3 processes for the same tick exactly once', async () => {
    const startAt = String(Date.now() + 4000);
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, START_AT: startAt };
    const outputs = await Promise.all(
      [1, 2, 3].map(() => run(process.execPath, ['-r', TS_REGISTER, REPLICA], { env, timeout: 60_000 })),
    );
    const answers = outputs.map((o) => o.stdout.trim()).sort();
    expect(answers).toEqual(['ran', 'skipped', 'skipped']);
    const rows = await dataSource.query<{ owner: string }[]>(`SELECT owner FROM job_log`);
    expect(rows).toHaveLength(1);
  });

  it('runs again once the gap has passed, and never while a run is still going', async () => {
    const jobs = new ClusterJobs(dataSource);
    let release!: () => void;
    const slow = jobs.runOnce('test.slow', 0, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The first run still holds the job: a second claim is refused even with no gap at all.
    await expect(jobs.runOnce('test.slow', 0, async () => undefined)).resolves.toBe(false);
    release();
    await expect(slow).resolves.toBe(true);

    await expect(jobs.runOnce('test.gap', 60_000, async () => undefined)).resolves.toBe(true);
    await expect(jobs.runOnce('test.gap', 60_000, async () => undefined)).resolves.toBe(false);
    await dataSource.query(`UPDATE cluster_job_runs SET last_started_at = now() - interval '2 minutes'`);
    await expect(jobs.runOnce('test.gap', 60_000, async () => undefined)).resolves.toBe(true);
  });

  it('schedules a job on a timer; stop() ends the timer and waits for the pass that runs', async () => {
    const jobs = new ClusterJobs(dataSource);
    const errors: unknown[] = [];
    let passes = 0;
    let release: (() => void) | undefined;
    const scheduled = jobs.schedule(
      'test.timer',
      50,
      async () => {
        passes += 1;
        if (passes === 3) await new Promise<void>((resolve) => (release = resolve));
      },
      { firstDelayMs: 0, onError: (err) => errors.push(err) },
    );
    await waitFor(() => release !== undefined || undefined);
    let stopped = false;
    const stopping = scheduled.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    release?.();
    await stopping;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(passes).toBe(3);
    expect(errors).toEqual([]);
    expect(await dataSource.query(`SELECT job FROM cluster_job_runs`)).toEqual([{ job: 'test.timer' }]);
  });
});
