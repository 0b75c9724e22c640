import { Body, Controller, HttpCode, Module, Post, Req, Res, type INestApplication } from '@nestjs/common';
import { AuthModule, authMigrations } from '@pjs/auth';
import { ClusterJobRuns1766800000000, DatabaseModule } from '@pjs/database';
import {
  ApiException,
  Endpoint,
  Obj,
  Text,
  Type,
  createWebApp,
  defineAccessPolicy,
  scoped,
  type Static,
} from '@pjs/http';
import {
  IdempotencyHeaders,
  IdempotencyKeys1765000000003,
  IdempotencyModule,
  IdempotencyRetention,
  IdempotentWrites,
} from '@pjs/idempotency';
import { LoggerModule, createLogger } from '@pjs/logger';
import { createMigratedDatabase, createTestUser, waitFor, type TestUser } from '@pjs/testing';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import type { DataSource } from 'typeorm';

const Thing = Obj({ name: Text(20, { minLength: 1 }), count: Type.Optional(Type.Integer({ minimum: 0 })) });

@Controller('api/things')
class ThingsController {
  constructor(private readonly writes: IdempotentWrites) {}

  @Post()
  @HttpCode(201)
  @Endpoint({ summary: 'create', body: Thing, headers: IdempotencyHeaders })
  create(
    @Body() body: Static<typeof Thing>,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ id: number; name: string }> {
    return this.writes.answer(req, reply, async (tx) => {
      if (body.name === 'refused') throw new ApiException(409, 'refused', 'No.');
      const [row] = await tx.query<{ id: number }[]>(`INSERT INTO things (name) VALUES ($1) RETURNING id`, [body.name]);
      await tx.query(`SELECT pg_sleep(0.05)`);
      return { id: row.id, name: body.name };
    });
  }
}

const policy = defineAccessPolicy({
  service: 'things',
  scopes: { write: 'writes things' },
  userScopes: ['write'],
  routes: { 'POST /api/things': scoped('write') },
});
const logger = createLogger({ service: 'test', process: 'web', level: 'error', stream: new PassThrough() });

function buildApp(dataSource: DataSource, options: { sweepIntervalMs?: number } = {}) {
  @Module({
    imports: [
      DatabaseModule.forDataSource(dataSource),
      LoggerModule.forRoot(logger),
      AuthModule.forRoot({ policy, internalAllowedIps: [], adminAllowedIps: [], accountRoutes: false }),
      IdempotencyModule.forRoot(options),
    ],
    controllers: [ThingsController],
  })
  class ThingsModule {}
  return createWebApp(ThingsModule, { logger });
}

describe('Idempotency-Key on writes (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let app: INestApplication;
  let user: TestUser;
  let other: TestUser;

  beforeAll(async () => {
    db = await createMigratedDatabase('idempotency', {
      migrations: [...authMigrations, IdempotencyKeys1765000000003, ClusterJobRuns1766800000000],
    });
    await db.dataSource.query(`CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL)`);
    app = await buildApp(db.dataSource);
    user = await createTestUser(db.dataSource);
    other = await createTestUser(db.dataSource);
  });

  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const post = (who: TestUser, body: object, key?: string) => {
    const req = request(app.getHttpServer()).post('/api/things').set('Authorization', `Token ${who.token}`);
    if (key) void req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const count = async (name: string) =>
    (await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM things WHERE name = $1`, [name]))[0].n;

  it('answers a repeat with the first answer, status included, and writes once', async () => {
    const first = await post(user, { name: 'a', count: 1 }, 'key-a');
    const again = await post(user, { count: 1, name: 'a' }, 'key-a');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('a')).toBe(1);
  });

  it('answers 422 to the same key with another request', async () => {
    await post(user, { name: 'b' }, 'key-b');
    const other = await post(user, { name: 'c' }, 'key-b');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await count('c')).toBe(0);
  });

  it('writes once for concurrent repeats, and every repeat gets the same answer', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(user, { name: 'd' }, 'key-d')));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await count('d')).toBe(1);
  });

  it('keeps keys per caller, writes without a key every time, and keeps no refused answer', async () => {
    await post(user, { name: 'e' }, 'shared');
    await post(other, { name: 'e' }, 'shared');
    expect(await count('e')).toBe(2);
    await post(user, { name: 'f' });
    await post(user, { name: 'f' });
    expect(await count('f')).toBe(2);
    expect((await post(user, { name: 'refused' }, 'key-r')).status).toBe(409);
    expect((await post(user, { name: 'g' }, 'key-r')).status).toBe(201);
  });

  it('forgets keys older than the retention when the sweep runs', async () => {
    await post(user, { name: 'old' }, 'key-old');
    await post(user, { name: 'young' }, 'key-young');
    await db.dataSource.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '8 days' WHERE key = 'key-old'`,
    );
    expect(await app.get(IdempotencyRetention).sweep()).toBe(1);
    const again = await post(user, { name: 'old' }, 'key-old');
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('old')).toBe(2);
    expect((await post(user, { name: 'young' }, 'key-young')).headers['idempotent-replayed']).toBe('true');
  });

  it('sweeps on its timer in one of several replicas (ClusterJobs)', async () => {
    await post(user, { name: 'stale' }, 'key-stale');
    await db.dataSource.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '8 days' WHERE key = 'key-stale'`,
    );
    const replicas = await Promise.all([1, 2].map(() => buildApp(db.dataSource, { sweepIntervalMs: 100 })));
    try {
      await waitFor(
        async () =>
          (await db.dataSource.query(`SELECT 1 FROM idempotency_keys WHERE key = 'key-stale'`)).length === 0 ||
          undefined,
      );
      expect(await db.dataSource.query(`SELECT job FROM cluster_job_runs`)).toEqual([{ job: 'idempotency.sweep' }]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });

  it('refuses a malformed key naming the header', async () => {
    const res = await post(user, { name: 'h' }, 'bad key with spaces');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('idempotency-key');
  });
});
