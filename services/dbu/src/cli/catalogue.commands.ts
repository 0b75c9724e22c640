import type { Command } from 'commander';
import { createUserCommand } from '@pjs/auth';
import { runMigrations } from '@pjs/database';
import { withCli } from './cli-context';

/** migrate and create-user. */
export function registerCatalogueCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(() =>
      withCli(async ({ dataSource }) => {
        const applied = await runMigrations(dataSource);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      }),
    );

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
