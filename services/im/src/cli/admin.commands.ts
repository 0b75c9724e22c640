import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { createUserCommand } from '@pjs/auth';
import { runMigrations } from '@pjs/database';
import { OrdersRepository } from '../orders/orders.repository';
import { OrderValidationError } from '../receive/receive.schema';
import { ReceiveService } from '../receive/receive.service';
import { StockRepository } from '../stock/stock.repository';
import { withCli } from './cli-context';

/** migrate, create-user and receive. */
export function registerAdminCommands(program: Command): void {
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

  program
    .command('receive')
    .argument('<file>', 'a JSON file with the POST /api/receive/ body')
    .description('receive a supplier order from a file (same rules as POST /api/receive/)')
    .action((file: string) =>
      withCli(async ({ dataSource }) => {
        let payload: unknown;
        try {
          payload = JSON.parse(await readFile(file, 'utf8'));
        } catch (err) {
          throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`);
        }
        const receiving = new ReceiveService(
          dataSource,
          new OrdersRepository(dataSource),
          new StockRepository(dataSource),
        );
        try {
          const { created, order } = await receiving.receive(payload, {
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
