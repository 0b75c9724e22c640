import type { Command } from 'commander';
import { parseDuration } from '@pjs/config';
import { ProductChangeService } from '../changes/product-change.service';
import { withCli } from './cli-context';
import { out } from './cli-output';

/** compact-changes: what dbu-cleanup does to the product change log, now. */
export function registerChangesCommands(program: Command): void {
  program
    .command('compact-changes')
    .option('--older-than <age>', 'remove changes older than this (e.g. 30d; default CHANGES_RETENTION)')
    .description('drop superseded and expired entries of the product change log (GET /api/products/changes/)')
    .action((options: { olderThan?: string }) =>
      withCli(async (app) => {
        const retention = options.olderThan === undefined ? undefined : parseDuration(options.olderThan);
        if (options.olderThan !== undefined && retention === undefined)
          throw new Error(`--older-than: "${options.olderThan}" is not a duration (e.g. 30d, 12h)`);
        const result = await app.get(ProductChangeService).compact(retention);
        out(
          `product changes: ${result.superseded} superseded and ${result.expired} expired removed, ${result.remaining} kept`,
        );
      }),
    );
}
