import type { Command } from 'commander';
import { addAccountCommands } from '@pjs/auth';
import { DataSource, runMigrations } from '@pjs/database';
import { DBU_CONFIG, type DbuConfig } from '../config/dbu-config';
import { DEFAULT_READER_ROLE, ensureReaderRole } from '../reader-role/reader-role';
import { withCli } from './cli-context';

/**
 * `migrate`: applies pending migrations, then (when DBU_READER_PASSWORD is set) creates or
 * updates the read-only role. Idempotent; the role name is a parameter only for tests.
 */
export async function migrate(
  config: Pick<DbuConfig, 'DBU_READER_PASSWORD'>,
  dataSource: DataSource,
  out: NodeJS.WritableStream = process.stdout,
  readerRole: string = DEFAULT_READER_ROLE,
): Promise<void> {
  const applied = await runMigrations(dataSource);
  out.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  if (config.DBU_READER_PASSWORD) {
    const outcome = await ensureReaderRole(dataSource, config.DBU_READER_PASSWORD, readerRole);
    out.write(`read-only role ${readerRole}: ${outcome}\n`);
  } else {
    out.write(`read-only role ${readerRole}: skipped (DBU_READER_PASSWORD is not set)\n`);
  }
}

/** migrate, create-user and the account commands (users, tokens, audit). */
export function registerCatalogueCommands(program: Command): void {
  addAccountCommands(program, withCli);

  program
    .command('migrate')
    .description(
      `apply pending database migrations; with DBU_READER_PASSWORD also create/update the ${DEFAULT_READER_ROLE} role`,
    )
    .action(() => withCli((app) => migrate(app.get<DbuConfig>(DBU_CONFIG), app.get(DataSource))));
}
