/**
 * bench/im-stock/keyed.ts: what an Idempotency-Key costs a stock change, in process (no HTTP).
 *
 * Contenders, each on its own copy of the items, N concurrent callers reducing by 1:
 *   plain — StockService.change('reduce') without a key: one autocommit statement (the hot path);
 *   keyed — with a fresh Idempotency-Key per call, through @pjs/idempotency as the controller
 *           does it (BEGIN, key claimed, the statement in the same transaction, answer stored,
 *           COMMIT).
 * Scenarios `hot` (one item) and `spread` (uniform over BENCH_SPREAD_ITEMS); BENCH_SLICES
 * interleaved slices of BENCH_DURATION_S seconds each; the median ops/s and the p99 are printed.
 *
 *   pnpm build && pnpm --filter @pjs/bench exec tsx im-stock/keyed.ts
 *   env: BENCH_DURATION_S=5 BENCH_SLICES=4 BENCH_CLIENTS=32 BENCH_POOL_SIZE=10 BENCH_SPREAD_ITEMS=10000
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, runMigrations, withDatabase } from '@pjs/database';
import { IdempotencyService } from '@pjs/idempotency';
import { createStockService, imMigrations, type StockService } from '@pjs/im';
import { envNumber, median, Tally } from '../common/harness';

const settings = {
  durationS: envNumber('BENCH_DURATION_S', 5),
  slices: Math.floor(envNumber('BENCH_SLICES', 4)),
  clients: Math.floor(envNumber('BENCH_CLIENTS', 32)),
  poolSize: Math.floor(envNumber('BENCH_POOL_SIZE', 10)),
  spreadItems: Math.floor(envNumber('BENCH_SPREAD_ITEMS', 10_000)),
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};
const CONTENDERS = ['plain', 'keyed'] as const;
type Contender = (typeof CONTENDERS)[number];
const SCENARIOS = ['hot', 'spread'] as const;
type Scenario = (typeof SCENARIOS)[number];
const actor = { name: 'bench', tokenId: null };
const log = (line: string) => process.stderr.write(`[im-stock-keyed] ${line}\n`);

type Reduce = (itemNo: string) => Promise<unknown>;

function reducers(stock: StockService, idempotency: IdempotencyService): Record<Contender, Reduce> {
  return {
    plain: (itemNo) => stock.change('reduce', { itemNo, amount: 1 }, actor),
    keyed: (itemNo) =>
      idempotency.run(
        {
          key: randomUUID(),
          route: 'POST /api/reduce-stock',
          principal: { userId: 1 },
          request: { params: {}, query: {}, body: { item_no: itemNo, amount: 1 } },
        },
        async (tx) => ({ status: 200, body: await stock.change('reduce', { itemNo, amount: 1 }, actor, tx) }),
      ),
  };
}

async function slice(reduce: Reduce, pick: () => string, tally: Tally): Promise<number> {
  const deadline = Date.now() + settings.durationS * 1000;
  const started = performance.now();
  let done = 0;
  const caller = async () => {
    while (Date.now() < deadline) {
      const t0 = performance.now();
      await reduce(pick());
      tally.add(performance.now() - t0);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: settings.clients }, caller));
  return done / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const dbName = `bench_im_keyed_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dataSource = createDataSource({
    url: withDatabase(settings.postgresUrl, dbName),
    poolSize: settings.poolSize,
    migrations: imMigrations,
  });
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    for (const c of CONTENDERS) {
      await dataSource.query(
        `INSERT INTO items (item_no, title, quantity, unit_price)
         SELECT $1 || '-' || n, 'bench item', 1000000000, 9.99 FROM generate_series(0, $2::int) AS n`,
        [c, settings.spreadItems],
      );
    }
    await dataSource.query('VACUUM ANALYZE');
    const { stock, close } = await createStockService(dataSource);
    const idempotency = new IdempotencyService(dataSource, { retentionMs: 86_400_000, sweepIntervalMs: 0 });
    const reduce = reducers(stock, idempotency);
    const pickers: Record<Scenario, (c: Contender) => () => string> = {
      hot: (c) => () => `${c}-0`,
      spread: (c) => () => `${c}-${1 + Math.floor(Math.random() * settings.spreadItems)}`,
    };
    log(`${settings.clients} callers, pool ${settings.poolSize}, ${settings.slices} x ${settings.durationS}s`);
    console.log('| scenario | plain ops/s | keyed ops/s | keyed / plain | p99 ms plain / keyed |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const scenario of SCENARIOS) {
      const rates: Record<Contender, number[]> = { plain: [], keyed: [] };
      const tallies: Record<Contender, Tally> = { plain: new Tally(), keyed: new Tally() };
      for (let i = 0; i < settings.slices; i += 1) {
        const order = i % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
        for (const c of order) rates[c].push(await slice(reduce[c], pickers[scenario](c), tallies[c]));
      }
      const [plain, keyed] = [median(rates.plain), median(rates.keyed)];
      console.log(
        `| ${scenario} | ${plain.toFixed(0)} | ${keyed.toFixed(0)} | ${(keyed / plain).toFixed(2)}x | ` +
          `${tallies.plain.percentile(99).toFixed(1)} / ${tallies.keyed.percentile(99).toFixed(1)} |`,
      );
    }
    await close();
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
