import type { Command } from 'commander';
import { createUserCommand } from '@pjs/auth';
import { runMigrations, type DataSource } from '@pjs/database';
import type { DbuConfig } from '../config/dbu-config';
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

/** migrate and create-user. */
export function registerCatalogueCommands(program: Command): void {
  program
    .command('migrate')
    .description(
      `apply pending database migrations; with DBU_READER_PASSWORD also create/update the ${DEFAULT_READER_ROLE} role`,
    )
    .action(() => withCli(({ config, dataSource }) => migrate(config, dataSource)));

  program
    .command('create-user')
    .argument('<username>')
    .option('--admin', 'may use admin routes')
    .option('--password-stdin', 'read the password from stdin')
    .description('create a user and print its API token')
    .action((username: string, options: { admin?: boolean; passwordStdin?: boolean }) =>
      withCli(async ({ dataSource }) => {
        await createUserCommand(dataSource, username, options);
      }),
    );
}
