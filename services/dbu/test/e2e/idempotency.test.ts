import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type request from 'supertest';
import { createProduct } from '../factories/catalogue.factory';
import { HEADER, csvLine } from '../integration/support/dbu-test-context';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

type Call = (key: string) => request.Test;

/** One write route: a first call, the same call again, and another request under the same key. */
interface WriteCase {
  route: string;
  status: number;
  /** Makes what the route needs; answers the call and another request. */
  setup: () => Promise<{ call: Call; other: Call; writes: () => Promise<number> }>;
}

describe('Idempotency-Key on every DBU write (dbu-web)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let mediaDir: string;
  const admin = () => tokenHeader(ctx.admin.token);
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await ctx.dataSource.query<{ n: string }[]>(sql, params))[0].n);
  const historyOf = (itemNo: string) => count(`SELECT count(*) AS n FROM product_history WHERE item_no = $1`, [itemNo]);
  const csv = (rows: string[]) => Buffer.from([HEADER, ...rows].join('\n'), 'utf8');

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_idempotency');
    mediaDir = await mkdtemp(join(tmpdir(), 'dbu-media-'));
    web = await ctx.start({ MEDIA_DIR: mediaDir });
  });

  afterAll(async () => {
    await ctx.close();
    await rm(mediaDir, { recursive: true, force: true });
  });

  const http = () => web.http();
  const json = (method: 'post' | 'put' | 'patch' | 'delete', path: string, body?: object): Call => {
    return (key) => {
      const req = http()[method](path).set(admin()).set('Idempotency-Key', key);
      return body === undefined ? req : req.send(body);
    };
  };
  const upload =
    (path: string, content: Buffer, fields: Record<string, string> = {}): Call =>
    (key) => {
      let req = http().post(path).set(admin()).set('Idempotency-Key', key);
      for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
      return req.attach('file', content, 'file.csv');
    };
  const profile = async (name: string) =>
    (await http().post('/api/import-profiles/').set(admin()).send({ name }).expect(201)).body as { id: number };

  const cases: WriteCase[] = [
    {
      route: 'POST /api/products/',
      status: 201,
      setup: async () => ({
        call: json('post', '/api/products/', { item_no: 'IK-NEW', title: 'First' }),
        other: json('post', '/api/products/', { item_no: 'IK-NEW', title: 'Second' }),
        writes: () => historyOf('IK-NEW'),
      }),
    },
    {
      route: 'PUT /api/products/{item_no}/',
      status: 200,
      setup: async () => {
        const itemNo = await createProduct(ctx.dataSource);
        return {
          call: json('put', `/api/products/${itemNo}/`, { title: 'Replaced' }),
          other: json('put', `/api/products/${itemNo}/`, { title: 'Replaced again' }),
          writes: () => historyOf(itemNo),
        };
      },
    },
    {
      route: 'PATCH /api/products/{item_no}/',
      status: 200,
      setup: async () => {
        const itemNo = await createProduct(ctx.dataSource);
        return {
          call: json('patch', `/api/products/${itemNo}/`, { title: 'Patched' }),
          other: json('patch', `/api/products/${itemNo}/`, { rrp: '1.00' }),
          writes: () => historyOf(itemNo),
        };
      },
    },
    {
      route: 'DELETE /api/products/{item_no}/',
      status: 204,
      setup: async () => {
        const itemNo = await createProduct(ctx.dataSource);
        const another = await createProduct(ctx.dataSource);
        return {
          call: json('delete', `/api/products/${itemNo}/`),
          other: json('delete', `/api/products/${another}/`),
          writes: () => historyOf(itemNo),
        };
      },
    },
    {
      route: 'POST /api/email-data/',
      status: 200,
      setup: async () => {
        const itemNo = await createProduct(ctx.dataSource);
        return {
          call: json('post', '/api/email-data/', {
            order_number: 'IK-1',
            items: [{ item_no: itemNo, discount: '5%' }],
          }),
          other: json('post', '/api/email-data/', {
            order_number: 'IK-1',
            items: [{ item_no: itemNo, discount: '6%' }],
          }),
          writes: () => historyOf(itemNo),
        };
      },
    },
    {
      route: 'POST /api/import-profiles/',
      status: 201,
      setup: async () => ({
        call: json('post', '/api/import-profiles/', { name: 'IK profile' }),
        other: json('post', '/api/import-profiles/', { name: 'IK profile 2' }),
        writes: () => count(`SELECT count(*) AS n FROM import_profiles WHERE name LIKE 'IK profile%'`),
      }),
    },
    {
      route: 'PUT /api/import-profiles/{id}/',
      status: 200,
      setup: async () => {
        const { id } = await profile('IK put');
        return {
          call: json('put', `/api/import-profiles/${id}/`, { name: 'IK put', delimiter: ';' }),
          other: json('put', `/api/import-profiles/${id}/`, { name: 'IK put', delimiter: ',' }),
          writes: () =>
            count(`SELECT count(*) AS n FROM import_profiles WHERE id = $1 AND updated_at > created_at`, [id]),
        };
      },
    },
    {
      route: 'PATCH /api/import-profiles/{id}/',
      status: 200,
      setup: async () => {
        const { id } = await profile('IK patch');
        return {
          call: json('patch', `/api/import-profiles/${id}/`, { wholesaler: 'A' }),
          other: json('patch', `/api/import-profiles/${id}/`, { wholesaler: 'B' }),
          writes: () =>
            count(`SELECT count(*) AS n FROM import_profiles WHERE id = $1 AND updated_at > created_at`, [id]),
        };
      },
    },
    {
      route: 'DELETE /api/import-profiles/{id}/',
      status: 204,
      setup: async () => {
        const { id } = await profile('IK delete');
        const { id: another } = await profile('IK delete 2');
        return {
          call: json('delete', `/api/import-profiles/${id}/`),
          other: json('delete', `/api/import-profiles/${another}/`),
          writes: () => count(`SELECT count(*) AS n FROM import_profiles WHERE id = $1`, [id]),
        };
      },
    },
    {
      route: 'POST /api/imports/ (dry run)',
      status: 202,
      setup: async () => ({
        call: upload('/api/imports/', csv([csvLine({ item_no: 'IK-I1', title: 'a' })]), { dry_run: 'true' }),
        other: upload('/api/imports/', csv([csvLine({ item_no: 'IK-I2', title: 'b' })]), { dry_run: 'true' }),
        writes: () => count(`SELECT count(*) AS n FROM import_runs WHERE kind = 'catalogue'`),
      }),
    },
    {
      route: 'POST /api/gpsr/',
      status: 202,
      setup: async () => ({
        call: upload('/api/gpsr/', csv([csvLine({ item_no: 'IK-G1', title: 'a' })])),
        other: upload('/api/gpsr/', csv([csvLine({ item_no: 'IK-G2', title: 'b' })])),
        writes: () => count(`SELECT count(*) AS n FROM import_runs WHERE kind = 'gpsr'`),
      }),
    },
  ];

  describe.each(cases)('$route', ({ route, status, setup }) => {
    it(`answers a repeat with the first answer (${status}) without writing again, and 422 to another request`, async () => {
      const { call, other, writes } = await setup();
      const key = `key ${route}`.replace(/\W+/g, '-');
      const before = await writes();
      const first = await call(key);
      expect(first.status).toBe(status);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const wrote = await writes();
      expect(wrote).not.toBe(before);

      const again = await call(key);
      expect(again.status).toBe(status);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await writes()).toBe(wrote);

      const reused = await other(key);
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(await writes()).toBe(wrote);
    });
  });

  it('documents the header on every write route in OpenAPI', async () => {
    const doc = (await http().get('/api/docs/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
        // Not catalogue writes: sessions and accounts (libs/auth), and a suggestion that writes nothing.
        .filter(() => !/^\/(api\/)?admin\/|\/suggest$|token/.test(path))
        .map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );
    expect(writes.length).toBeGreaterThan(10);
    const missing = writes.filter(
      ({ op }) => !op.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'),
    );
    expect(missing.map((w) => w.route)).toEqual([]);
  });
});
