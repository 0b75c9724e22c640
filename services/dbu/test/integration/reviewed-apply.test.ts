import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createImportServices, loadDbuConfig, type ImportServices } from '../../src';
import { DbuWebContext, tokenHeader, type WebApp } from '../e2e/support/dbu-web';
import { HEADER, csvLine, quietLogger, type FixtureRow } from './support/dbu-test-context';

const csv = (rows: FixtureRow[]) => Buffer.from([HEADER, ...rows.map(csvLine)].join('\n'), 'utf8');

describe('POST /api/imports/{id}/apply/: the reviewed dry run, exactly', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let mediaDir: string;
  let worker: ImportServices;
  const admin = () => tokenHeader(ctx.admin.token);

  beforeAll(async () => {
    ctx = await DbuWebContext.create('reviewed_apply');
    mediaDir = await mkdtemp(join(tmpdir(), 'dbu-media-'));
    web = await ctx.start({ MEDIA_DIR: mediaDir });
    // Plays dbu-worker's part in-process (the worker itself is tested in worker.test.ts).
    worker = await createImportServices(
      await loadDbuConfig({ DATABASE_URL: ctx.databaseUrl, MEDIA_DIR: mediaDir }),
      ctx.dataSource,
      quietLogger(),
    );
  });

  afterAll(async () => {
    await worker.close();
    await ctx.close();
    await rm(mediaDir, { recursive: true, force: true });
  });

  const createProduct = (item_no: string, title: string) =>
    web.http().post('/api/products/').set(admin()).send({ item_no, title }).expect(201);
  const product = async (itemNo: string) =>
    (await web.http().get(`/api/products/${itemNo}/`).set(admin())).body as { title: string; rrp: string | null };
  const apply = (id: string, key?: string) => {
    const req = web.http().post(`/api/imports/${id}/apply/`).set(admin());
    return key ? req.set('Idempotency-Key', key) : req;
  };

  /** Uploads a dry run, lets the worker run it, answers its id. */
  async function dryRun(rows: FixtureRow[]): Promise<string> {
    const res = await web
      .http()
      .post('/api/imports/')
      .set(admin())
      .field('dry_run', 'true')
      .attach('file', csv(rows), 'review.csv')
      .expect(202);
    await worker.runner.execute(res.body.id, { finalAttempt: true });
    const run = await web.http().get(`/api/imports/${res.body.id}/`).set(admin()).expect(200);
    expect(run.body).toMatchObject({ status: 'succeeded', dry_run: true });
    return res.body.id;
  }

  it('applies the reviewed diff (not the file), as a new run of source apply with its history and event', async () => {
    await createProduct('RA-1', 'Old title');
    await createProduct('RA-3', 'Unchanged');
    const id = await dryRun([
      { item_no: 'RA-1', title: 'New title', uvp: '19,99' },
      { item_no: 'RA-2', title: 'Brand new' },
      { item_no: 'RA-3', title: 'Unchanged' },
    ]);
    expect((await product('RA-1')).title).toBe('Old title');
    // What was reviewed is applied even when the upload is gone (cleaned up) since.
    await rm(join(mediaDir, 'uploads'), { recursive: true, force: true });

    const res = await apply(id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'catalogue',
      status: 'succeeded',
      dry_run: false,
      source: 'apply',
      requested_by: ctx.admin.username,
      counts: { new: 1, changed: 1, unchanged: 0, invalid: 0 },
      details: { reviewed_import_id: id },
    });
    expect(res.body.id).not.toBe(id);
    expect(await product('RA-1')).toMatchObject({ title: 'New title', rrp: '19.99' });
    expect((await product('RA-2')).title).toBe('Brand new');

    const history = await ctx.dataSource.query<{ item_no: string; field: string; source_ref: string }[]>(
      `SELECT item_no, field, source_ref FROM product_history WHERE source_type = 'import' ORDER BY id`,
    );
    expect(history).toEqual([
      { item_no: 'RA-1', field: 'title', source_ref: res.body.id },
      { item_no: 'RA-1', field: 'rrp', source_ref: res.body.id },
    ]);
    const [event] = await ctx.dataSource.query<{ data: { import_id: string; changed_item_nos: string[] } }[]>(
      `SELECT envelope -> 'data' AS data FROM outbox_messages WHERE type = 'dbu.catalogue.imported'`,
    );
    expect(event.data).toMatchObject({ import_id: res.body.id, changed_item_nos: ['RA-1', 'RA-2'] });
    const reviewed = await web.http().get(`/api/imports/${id}/`).set(admin());
    expect(reviewed.body.details).toMatchObject({ applied_import_id: res.body.id });
  });

  it('answers 409 naming the products that changed since the dry run, and applies nothing', async () => {
    await createProduct('RB-1', 'One');
    await createProduct('RB-2', 'Two');
    const id = await dryRun([
      { item_no: 'RB-1', title: 'One, reviewed' },
      { item_no: 'RB-2', title: 'Two, reviewed' },
      { item_no: 'RB-3', title: 'Three, new' },
    ]);
    // Edits after the review: one changed product, one new item created by someone else.
    await web.http().patch('/api/products/RB-2/').set(admin()).send({ rrp: '5.00' }).expect(200);
    await createProduct('RB-3', 'Three, by hand');

    const res = await apply(id);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'import_diff_stale', changed_count: 2, changed_items: ['RB-2', 'RB-3'] });
    expect(res.body.message).toContain('RB-2, RB-3');
    expect((await product('RB-1')).title).toBe('One');
    expect((await product('RB-3')).title).toBe('Three, by hand');
    const [{ n }] = await ctx.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM import_runs WHERE source = 'apply' AND details ->> 'reviewed_import_id' = $1`,
      [id],
    );
    expect(n).toBe(0);
  });

  it('applies once: the same Idempotency-Key replays the answer, another apply answers 409', async () => {
    const id = await dryRun([{ item_no: 'RC-1', title: 'Once' }]);
    const first = await apply(id, 'apply-rc');
    const again = await apply(id, 'apply-rc');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);

    const twice = await apply(id);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'import_already_applied', applied_import_id: first.body.id });
    expect((await apply(id, 'another-key')).status).toBe(409);
    const [{ n }] = await ctx.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM product_history WHERE item_no = 'RC-1'`,
    );
    expect(n).toBe(0); // a new product has no field history, and it was inserted once
    const [{ runs }] = await ctx.dataSource.query<{ runs: number }[]>(
      `SELECT count(*)::int AS runs FROM import_runs WHERE source = 'apply' AND details ->> 'reviewed_import_id' = $1`,
      [id],
    );
    expect(runs).toBe(1);
  });

  it('refuses what is no finished catalogue dry run (409) and an unknown id (404)', async () => {
    const res = await web
      .http()
      .post('/api/imports/')
      .set(admin())
      .attach('file', csv([{ item_no: 'RD-1', title: 'Real run' }]), 'real.csv')
      .expect(202);
    const queued = await apply(res.body.id);
    expect(queued.status).toBe(409);
    expect(queued.body.code).toBe('import_not_reviewable');
    await worker.runner.execute(res.body.id, { finalAttempt: true });
    expect((await apply(res.body.id)).body.code).toBe('import_not_reviewable');
    expect((await apply('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await web.http().post(`/api/imports/${res.body.id}/apply/`)).status).toBe(401);
    expect((await web.http().post(`/api/imports/${res.body.id}/apply/`).set(tokenHeader(ctx.user.token))).status).toBe(
      403,
    );
  });
});
