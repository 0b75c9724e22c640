import 'reflect-metadata';
import { Command } from 'commander';
import { registerAdminCommands } from './cli/admin.commands';
import { registerSyncCommands } from './cli/sync.commands';

/** `pnpm im <command>`: the inventory's management commands (manage.py's equivalent). */
const program = new Command('im').description('IM (inventory) management commands').showHelpAfterError();
registerAdminCommands(program);
registerSyncCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`im: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
