/**
 * A real dbu-worker in a child process, for tests that kill it: the worker app of src/, with
 * one test hook — when PAUSE_AT names a merge step, the import stops there (mid-transaction),
 * tells the parent over IPC and waits to be killed.
 */
import { createLogger } from '@pjs/logger';
import { openDatabase } from '@pjs/database';
import { loadDbuConfig } from '../../../src/config/dbu-config';
import { dbuMigrations } from '../../../src/database/migrations';
import type { MergeStep } from '../../../src/imports/runs/import.options';
import { createWorkerApp } from '../../../src/worker.bootstrap';

async function main(): Promise<void> {
  const config = await loadDbuConfig();
  const logger = createLogger({ service: 'dbu-worker-child', process: 'worker', level: 'error' });
  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    migrations: dbuMigrations,
    poolSize: 4,
    applicationName: 'dbu-worker-child',
  });
  const pauseAt = process.env.PAUSE_AT as MergeStep | undefined;
  await createWorkerApp(config, dataSource, logger, {
    hooks: {
      afterStep: async (step, importId) => {
        if (step !== pauseAt) return;
        process.send?.({ paused: step, importId });
        await new Promise(() => undefined);
      },
    },
  });
  process.send?.({ ready: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`worker child failed: ${String(err)}\n`);
  process.exit(1);
});
