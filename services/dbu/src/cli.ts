import 'reflect-metadata';
import { Command } from 'commander';
import { registerCatalogueCommands } from './cli/catalogue.commands';
import { registerWorkerCommands } from './cli/worker.commands';

/** `pnpm dbu <command>`: the catalogue's management commands (manage.py's equivalent). */
const program = new Command('dbu').description('DBU (catalogue) management commands').showHelpAfterError();
registerCatalogueCommands(program);
registerWorkerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`dbu: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
