import 'reflect-metadata';
import { Command } from 'commander';
import { registerDeadLetterCommands } from '@pjs/messaging';
import { registerCatalogueCommands } from './cli/catalogue.commands';
import { registerChangesCommands } from './cli/changes.commands';
import { registerWorkerCommands } from './cli/worker.commands';
import { loadDbuConfig } from './config/dbu-config';
import { DbuQueues } from './messaging/dbu-jobs';

/** `pnpm dbu <command>`: the catalogue's management commands (manage.py's equivalent). */
const program = new Command('dbu').description('DBU (catalogue) management commands').showHelpAfterError();
registerCatalogueCommands(program);
registerWorkerCommands(program);
registerChangesCommands(program);
registerDeadLetterCommands(program, {
  queues: Object.values(DbuQueues),
  brokerUrl: async () => (await loadDbuConfig()).RABBITMQ_URL,
});

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`dbu: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
