import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditModule, AuditRetention } from '@pjs/audit';
import { authMigrations } from '@pjs/auth';
import { ClusterJobRuns1766800000000, DatabaseModule } from '@pjs/database';
import { LoggerModule, createLogger } from '@pjs/logger';
import { createMigratedDatabase, waitFor } from '@pjs/testing';
import { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';

const DAY = 86_400_000;

/** AUDIT_RETENTION and AUDIT_IP_RETENTION on the real append-only table. */
describe(AuditRetention.name, () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource, close } = await createMigratedDatabase('audit_retention', {
      migrations: [...authMigrations, ClusterJobRuns1766800000000],
    }));
  });
  afterAll(() => close());

  /** Rows of the given ages (days), each with a client address. */
  async function rowsAged(...days: number[]): Promise<void> {
    await dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL pjs.audit_maintenance = 'on'`);
      await tx.query(`DELETE FROM audit_log`);
    });
    for (const age of days) {
      await dataSource.query(
        `INSERT INTO audit_log (at, actor, action, resource, resource_id, client_ip, outcome)
         VALUES (now() - $1 * interval '1 day', 'alice', 'product.update', 'product', $2, '203.0.113.7', 'ok')`,
        [age, `aged-${age}`],
      );
    }
  }
  const remaining = () =>
    dataSource.query<{ resource_id: string; client_ip: string | null }[]>(
      `SELECT resource_id, host(client_ip) AS client_ip FROM audit_log ORDER BY at`,
    );

  it('deletes rows past the retention and blanks addresses past the address retention, nothing else', async () => {
    await rowsAged(500, 120, 10);
    const retention = new AuditRetention(dataSource, { retentionMs: 400 * DAY, ipRetentionMs: 90 * DAY });
    expect(await retention.run()).toEqual({ deleted: 1, addressesBlanked: 1 });
    expect(await remaining()).toEqual([
      { resource_id: 'aged-120', client_ip: null },
      { resource_id: 'aged-10', client_ip: '203.0.113.7' },
    ]);
  });

  it('is the only way rows leave the append-only trail', async () => {
    await rowsAged(500);
    await expect(dataSource.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`UPDATE audit_log SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    expect(await remaining()).toHaveLength(1);
  });

  it('runs on its own in a process that asks for it (retentionIntervalMs), once per cluster', async () => {
    await rowsAged(30, 1);
    @Module({
      imports: [
        DatabaseModule.forDataSource(dataSource),
        LoggerModule.forRoot(
          createLogger({ service: 'test', process: 'worker', stream: new Writable({ write: (_c, _e, cb) => cb() }) }),
        ),
        AuditModule.forRoot({ retentionMs: 7 * DAY, ipRetentionMs: DAY / 2, retentionIntervalMs: 50 }),
      ],
    })
    class RetentionApp {}
    const app: INestApplicationContext = await NestFactory.createApplicationContext(RetentionApp, { logger: false });
    try {
      await app.init();
      await waitFor(async () => (await remaining()).length === 1);
      expect(await remaining()).toEqual([{ resource_id: 'aged-1', client_ip: null }]);
      // Claimed through ClusterJobs, so replicas of the process share one run per interval.
      expect(await dataSource.query(`SELECT job FROM cluster_job_runs`)).toEqual([{ job: 'audit.retention' }]);
    } finally {
      await app.close();
    }
  });
});
