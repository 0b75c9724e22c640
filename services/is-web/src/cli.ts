import 'reflect-metadata';
import { Command } from 'commander';
import { loadConfigOrExit } from '@pjs/config';
import { loadIsConfig } from './config/is-config';
import { StatusService } from './status/status.service';

/** `pnpm is <command>`: is-web's management commands. */
const program = new Command('is').description('is-web management commands').showHelpAfterError();

program
  .command('migrate')
  .description('apply database migrations (is-web keeps no database: nothing to do)')
  .action(() => {
    process.stdout.write('is-web has no database; nothing to migrate.\n');
  });

program
  .command('create-user')
  .argument('<username>')
  .option('--admin')
  .option('--password-stdin')
  .description('is-web has no users: its routes are public and read-only')
  .action((username: string) => {
    process.stderr.write(
      `is-web keeps no users (its routes are public and read-only); create "${username}" with \`pnpm dbu create-user\` or \`pnpm im create-user\`.\n`,
    );
    process.exitCode = 2;
  });

program
  .command('status')
  .description('probe IS_STATUS_TARGETS once and print the result; exit 1 unless all are up')
  .option('--json', 'print the JSON report')
  .action(async (options: { json?: boolean }) => {
    const config = await loadConfigOrExit(() => loadIsConfig(), 'is');
    const report = await new StatusService({
      targets: config.IS_STATUS_TARGETS,
      timeoutMs: config.IS_PROBE_TIMEOUT,
      cacheMs: 0,
    }).check();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      process.stdout.write(`overall: ${report.status}\n`);
      for (const t of report.targets) {
        process.stdout.write(
          `${t.up ? 'UP  ' : 'DOWN'} ${t.name.padEnd(14)} ${String(t.latency_ms).padStart(7)} ms  ${t.detail}\n`,
        );
      }
    }
    process.exitCode = report.status === 'ok' ? 0 : 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`is: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
