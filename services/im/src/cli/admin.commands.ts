import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { addAccountCommands } from '@pjs/auth';
import { DataSource, runMigrations } from '@pjs/database';
import { OrderValidationError } from '../receive/receive.schema';
import { ReceiveService } from '../receive/receive.service';
import { withCli } from './cli-context';

/** migrate, create-user, the account commands (users, tokens, audit) and receive. */
export function registerAdminCommands(program: Command): void {
  addAccountCommands(program, withCli);

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(() =>
      withCli(async (app) => {
        const applied = await runMigrations(app.get(DataSource));
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      }),
    );

  program
    .command('receive')
    .argument('<file>', 'a JSON file with the POST /api/receive/ body')
    .description('receive a supplier order from a file (same rules as POST /api/receive/)')
    .action((file: string) =>
      withCli(async (app) => {
        let payload: unknown;
        try {
          payload = JSON.parse(await readFile(file, 'utf8'));
        } catch (err) {
          throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`);
        }
        try {
          const { created, order } = await app.get(ReceiveService).receivePayload(payload, {
            name: `cli:${userInfo().username}`,
            tokenId: null,
            source: 'cli',
          });
          process.stdout.write(
            created
              ? `order ${order.order_number} received: ${order.lines.length} line(s)\n`
              : `order ${order.order_number} already exists; nothing changed\n`,
          );
        } catch (err) {
          if (err instanceof OrderValidationError) throw new Error(`invalid order: ${err.message}`);
          throw err;
        }
      }),
    );
}
