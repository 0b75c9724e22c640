/**
 * The baseline of bench/dbu-lookup: a bare Fastify + pg server answering the two hot routes with
 * the very SQL dbu-web runs (from @pjs/dbu, its build), on a pool of the same size. No auth, no
 * validation framework, no logging, no metrics: the floor to compare dbu-web with.
 *
 *   env: PORT, DATABASE_URL, POOL_SIZE
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
import { nameKey, productDetailQuery, productListQuery } from '@pjs/dbu';

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 10),
  application_name: 'bench-bare',
});
const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });
const JSON_TYPE = 'application/json; charset=utf-8';

app.get<{ Params: { item_no: string } }>('/api/products/:item_no', async (req, reply) => {
  const result = await pool.query<{ body: string }>(productDetailQuery(req.params.item_no));
  const body = result.rows[0]?.body;
  if (body === undefined) return reply.code(404).type(JSON_TYPE).send('{"statusCode":404,"code":"not_found"}');
  return reply.type(JSON_TYPE).send(body);
});

app.get<{ Querystring: { search?: string; page?: string; page_size?: string } }>(
  '/api/products',
  async (req, reply) => {
    const size = Number(req.query.page_size ?? 50);
    const page = Number(req.query.page ?? 1);
    const search = req.query.search?.trim() || undefined;
    const result = await pool.query<{ count: number; results: string }>(
      productListQuery({ search }, { limit: size, offset: (page - 1) * size }, nameKey),
    );
    const { count, results } = result.rows[0];
    const base = `http://${req.headers.host ?? 'localhost'}${req.url.split('?')[0]}`;
    const next = page * size < count ? `${base}?search=${encodeURIComponent(search ?? '')}&page=${page + 1}` : null;
    const previous = page > 1 ? `${base}?search=${encodeURIComponent(search ?? '')}` : null;
    return reply
      .type(JSON_TYPE)
      .send(
        `{"count":${count},"next":${JSON.stringify(next)},"previous":${JSON.stringify(previous)},"results":${results}}`,
      );
  },
);

app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).then(
  (address) => process.stdout.write(`bare listening ${address}\n`),
  (err: unknown) => {
    process.stderr.write(`bare: ${String(err)}\n`);
    process.exit(1);
  },
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}
