/**
 * The floor of bench/pipeline: bare Fastify answering the same two routes with no auth,
 * validation, access log or metrics.  env: PORT
 */
import Fastify from 'fastify';
import { PRODUCT_JSON, answerOf, type StockChange } from './routes';

const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });
const JSON_TYPE = 'application/json; charset=utf-8';

app.get('/api/products/:item_no', async (_req, reply) => reply.type(JSON_TYPE).send(PRODUCT_JSON));
app.post<{ Body: StockChange }>('/api/reduce-stock', async (req) => answerOf(req.body));

void app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
