/**
 * The HTTP baseline of bench/im-stock: bare Fastify + pg answering `POST /api/reduce-stock/` with
 * the statement StockRepository runs (the bench's RAW_REDUCE), on a pool of the same size. No auth,
 * no validation framework, no logging, no metrics: the floor an HTTP stock API can reach on this
 * box, to set im-web's answers against.
 *
 *   env: PORT, DATABASE_URL, POOL_SIZE, REDUCE_SQL
 */
import Fastify from 'fastify';
import { Pool } from 'pg';

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 10),
  application_name: 'bench-bare',
});
const reduceSql = process.env.REDUCE_SQL ?? '';
const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });

app.get('/health', async () => ({ status: 'ok' }));

app.post<{ Body: { item_no?: unknown; amount?: unknown } }>('/api/reduce-stock', async (req, reply) => {
  const { item_no: itemNo, amount } = req.body ?? {};
  if (typeof itemNo !== 'string' || typeof amount !== 'number') return reply.code(400).send({ code: 'bad_request' });
  const result = await pool.query(reduceSql, [amount, itemNo]);
  if (result.rowCount !== 1) return reply.code(409).send({ code: 'insufficient_stock' });
  return { item_no: itemNo, movement: result.rows[0] as unknown };
});

app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).catch((err: unknown) => {
  process.stderr.write(`bare: ${String(err)}\n`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}
