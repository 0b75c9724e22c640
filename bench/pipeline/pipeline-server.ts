/**
 * The contender of bench/pipeline: the same two routes as a Nest controller behind our whole
 * pipeline (request id, access policy with token auth against PostgreSQL and its cache, compiled
 * schema validation, access log, RED metrics, helmet).  env: PORT, DATABASE_URL, LOG_LEVEL
 */
import 'reflect-metadata';
import { Body, Controller, Get, Header, HttpCode, Module, Param, Post } from '@nestjs/common';
import { AuthModule } from '@pjs/auth';
import { DatabaseModule, createDataSource } from '@pjs/database';
import { Endpoint, Obj, Text, Type, createWebApp, defineAccessPolicy, scoped, type Static } from '@pjs/http';
import { LoggerModule, createLogger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import { PRODUCT_JSON, answerOf } from './routes';

const ItemParams = Obj({ item_no: Text(64, { minLength: 1 }) });
const StockChangeBody = Obj({
  item_no: Text(64, { minLength: 1 }),
  amount: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  order_id: Type.Optional(Text(100, { minLength: 1 })),
});

@Controller('api')
class BenchController {
  @Get('products/:item_no')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Endpoint({ summary: 'lookup', params: ItemParams })
  lookup(@Param('item_no') _itemNo: string): string {
    return PRODUCT_JSON;
  }

  @Post('reduce-stock')
  @HttpCode(200)
  @Endpoint({ summary: 'reduce', body: StockChangeBody })
  reduce(@Body() body: Static<typeof StockChangeBody>) {
    return answerOf(body);
  }
}

const policy = defineAccessPolicy({
  service: 'bench',
  scopes: { read: 'reads', write: 'writes' },
  userScopes: ['read', 'write'],
  routes: {
    'GET /api/products/:item_no': scoped('read', 'internal'),
    'POST /api/reduce-stock': scoped('write', 'internal'),
  },
});

async function main(): Promise<void> {
  initMetrics('bench-pipeline');
  const logger = createLogger({ service: 'bench', process: 'web', level: process.env.LOG_LEVEL ?? 'info' });
  const dataSource = createDataSource({ url: process.env.DATABASE_URL!, migrations: [], poolSize: 2 });
  await dataSource.initialize();
  @Module({
    imports: [
      DatabaseModule.forDataSource(dataSource),
      LoggerModule.forRoot(logger),
      AuthModule.forRoot({ policy, internalAllowedIps: ['127.0.0.1/32'], adminAllowedIps: [], accountRoutes: false }),
    ],
    controllers: [BenchController],
  })
  class BenchModule {}
  const app = await createWebApp(BenchModule, { logger });
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
}

void main();
