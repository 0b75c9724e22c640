/**
 * `pnpm gen-catalogue ROWS OUT.csv [--latin1] [--seed N]`: a realistic wholesaler catalogue for
 * trying imports by hand, the Docker drills and the benchmarks.
 */
import { writeCatalogue } from './catalogue-generator';

const args = process.argv.slice(2);
const rows = Number(args[0]);
const out = args[1];
if (!Number.isInteger(rows) || rows < 0 || !out) {
  process.stderr.write('usage: gen-catalogue ROWS OUT.csv [--latin1] [--seed N]\n');
  process.exit(2);
}
const seedAt = args.indexOf('--seed');
writeCatalogue(out, rows, {
  encoding: args.includes('--latin1') ? 'latin1' : 'utf8',
  seed: seedAt === -1 ? 7 : Number(args[seedAt + 1]),
}).catch((err: unknown) => {
  process.stderr.write(`gen-catalogue: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
