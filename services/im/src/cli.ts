import 'reflect-metadata';
import { Command } from 'commander';
import { registerDeadLetterCommands } from '@pjs/messaging';
import { registerAdminCommands } from './cli/admin.commands';
import { registerSyncCommands } from './cli/sync.commands';
import { loadImConfig } from './config/im-config';
import { ImQueues } from './core/im-queues';

/** `pnpm im <command>`: the inventory's management commands (manage.py's equivalent). */
const program = new Command('im').description('IM (inventory) management commands').showHelpAfterError();
registerAdminCommands(program);
registerSyncCommands(program);
registerDeadLetterCommands(program, {
  queues: Object.values(ImQueues).map((q) => q.queue),
  brokerUrl: async () => (await loadImConfig()).RABBITMQ_URL,
});

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`im: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
