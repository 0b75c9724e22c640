import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { visiblePrefix } from '@pjs/auth';
import { createImportServices, loadDbuConfig, type ImportServices } from '../../src';
import { HEADER, csvLine, quietLogger } from '../integration/support/dbu-test-context';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

interface AuditRow {
  actor: string | null;
  token_prefix: string | null;
  action: string;
  resource: string;
  resource_id: string | null;
  request_id: string | null;
  client_ip: string | null;
  outcome: string;
  details: Record<string, unknown> | null;
}

/**
 * The audit rows of DBU's own writes — product create/update/delete, uploads of catalogue and GPSR
 * files, applied imports — written in the transaction of the change: both or neither.
 */
describe('audit trail of catalogue writes (dbu-web + the import pipeline)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let mediaDir: string;
  let worker: ImportServices;
  const admin = () => tokenHeader(ctx.admin.token);

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_audit_trail');
    mediaDir = await mkdtemp(join(tmpdir(), 'dbu-audit-media-'));
    web = await ctx.start({ MEDIA_DIR: mediaDir });
    // Plays dbu-worker's part in-process, as imports-api.test.ts does.
    worker = await createImportServices(
      await loadDbuConfig({ DATABASE_URL: ctx.databaseUrl, MEDIA_DIR: mediaDir }),
      ctx.dataSource,
      quietLogger(),
    );
    // Test-only failures inside the write's transaction, after the audit row (history) and of the
    // audit row itself, each for one marked item number.
    await ctx.dataSource.query(`
      CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'test failure for %', TG_TABLE_NAME; END $$;
      CREATE TRIGGER test_fail_history BEFORE INSERT ON product_history
        FOR EACH ROW WHEN (NEW.item_no = 'FAIL-HISTORY') EXECUTE FUNCTION test_fail();
      CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_log
        FOR EACH ROW WHEN (NEW.resource_id = 'FAIL-AUDIT') EXECUTE FUNCTION test_fail();`);
  });

  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    await rm(mediaDir, { recursive: true, force: true });
  });

  const auditOf = (resourceId: string): Promise<AuditRow[]> =>
    ctx.dataSource.query(
      `SELECT actor, token_prefix, action, resource, resource_id, request_id, host(client_ip) AS client_ip, outcome,
              details
         FROM audit_log WHERE resource_id = $1 ORDER BY id`,
      [resourceId],
    );
  const productExists = async (itemNo: string) =>
    (await ctx.dataSource.query(`SELECT 1 FROM products WHERE item_no = $1`, [itemNo])).length === 1;

  it('records create, update and delete of a product with the caller, token prefix, request id and address', async () => {
    const requestId = 'audit-create-0001';
    await web
      .http()
      .post('/api/products/')
      .set(admin())
      .set('X-Request-Id', requestId)
      .send({ item_no: 'AUD-1', title: 'Audited' })
      .expect(201);
    await web.http().patch('/api/products/AUD-1/').set(admin()).send({ title: 'Audited twice' }).expect(200);
    await web.http().delete('/api/products/AUD-1/').set(admin()).expect(204);

    const rows = await auditOf('AUD-1');
    expect(rows.map((r) => r.action)).toEqual(['product.create', 'product.update', 'product.delete']);
    for (const row of rows) {
      expect(row).toMatchObject({
        actor: ctx.admin.username,
        token_prefix: visiblePrefix(ctx.admin.token),
        resource: 'product',
        outcome: 'ok',
        client_ip: '127.0.0.1',
        request_id: expect.any(String),
      });
    }
    expect(rows[0].request_id).toBe(requestId);
    expect(rows[1].details).toMatchObject({ fields: ['title'], changed: true });
  });

  it('leaves neither the product nor an audit row when the create fails', async () => {
    await web.http().post('/api/products/').set(admin()).send({ item_no: 'FAIL-HISTORY', title: 'x' }).expect(500);
    expect(await productExists('FAIL-HISTORY')).toBe(false);
    expect(await auditOf('FAIL-HISTORY')).toEqual([]);
  });

  it('leaves no change when its audit row cannot be written', async () => {
    await web.http().post('/api/products/').set(admin()).send({ item_no: 'FAIL-AUDIT', title: 'x' }).expect(500);
    expect(await productExists('FAIL-AUDIT')).toBe(false);
  });

  it('rolls a refused update back together with its audit row', async () => {
    await web.http().post('/api/products/').set(admin()).send({ item_no: 'AUD-2', title: 'Kept' }).expect(201);
    await ctx.dataSource.query(
      `CREATE TRIGGER test_fail_update BEFORE INSERT ON product_history
         FOR EACH ROW WHEN (NEW.item_no = 'AUD-2' AND NEW.new_value = 'Refused') EXECUTE FUNCTION test_fail()`,
    );
    await web.http().patch('/api/products/AUD-2/').set(admin()).send({ title: 'Refused' }).expect(500);
    const [product] = await ctx.dataSource.query(`SELECT title FROM products WHERE item_no = 'AUD-2'`);
    expect(product.title).toBe('Kept');
    expect((await auditOf('AUD-2')).map((r) => r.action)).toEqual(['product.create']);
  });

  it('records the discounts of an order e-mail with the caller and the items it changed', async () => {
    await web.http().post('/api/products/').set(admin()).send({ item_no: 'AUD-MAIL', title: 'Mailed' }).expect(201);
    const body = {
      order_number: 'AUD-ORDER-1',
      items: [
        { item_no: 'AUD-MAIL', discount: '5%' },
        { item_no: 'AUD-NONE', discount: '5%' },
      ],
    };
    const mail = () => web.http().post('/api/email-data/').set(tokenHeader(ctx.user.token)).send(body).expect(200);
    await mail();
    await mail(); // the same e-mail again changes nothing, and says so in its row

    const rows = await auditOf('AUD-ORDER-1');
    expect(rows).toEqual([
      expect.objectContaining({
        actor: ctx.user.username,
        token_prefix: visiblePrefix(ctx.user.token),
        action: 'email_data.apply',
        resource: 'order',
        outcome: 'ok',
        details: { applied: ['AUD-MAIL'], skipped: 1 },
      }),
      expect.objectContaining({ action: 'email_data.apply', details: { applied: [], skipped: 2 } }),
    ]);
  });

  it('records catalogue and GPSR uploads, and the import applied by the worker as its requester', async () => {
    const upload = (path: string, content: string, name: string) =>
      web
        .http()
        .post(path)
        .set(admin())
        .set('X-Request-Id', `upload-${name}`)
        .attach('file', Buffer.from(content), name);

    const catalogue = await upload(
      '/api/imports/',
      [HEADER, csvLine({ item_no: 'IMP-1', title: 'Imported' })].join('\n'),
      'k.csv',
    );
    expect(catalogue.status).toBe(202);
    const gpsr = await upload('/api/gpsr/', 'Hersteller;Anschrift\nFunko;Weg 1, 12345 Stadt\n', 'g.csv');
    expect(gpsr.status).toBe(202);

    await worker.runner.execute(catalogue.body.id, { finalAttempt: true });
    await worker.runner.execute(gpsr.body.id, { finalAttempt: true });

    const [uploaded, applied] = await auditOf(catalogue.body.id);
    expect(uploaded).toMatchObject({
      action: 'import.upload',
      resource: 'import',
      actor: ctx.admin.username,
      token_prefix: visiblePrefix(ctx.admin.token),
      request_id: 'upload-k.csv',
      client_ip: '127.0.0.1',
      details: { kind: 'catalogue', source: 'upload', dry_run: false },
    });
    expect(applied).toMatchObject({
      action: 'import.apply',
      resource: 'import',
      actor: ctx.admin.username,
      details: { kind: 'catalogue', counts: { new: 1 } },
    });
    expect((await auditOf(gpsr.body.id)).map((r) => [r.action, r.actor])).toEqual([
      ['gpsr.upload', ctx.admin.username],
      ['gpsr.apply', ctx.admin.username],
    ]);
  });

  it('writes no apply row for a dry run, and none when the import rolls back', async () => {
    const dry = await web
      .http()
      .post('/api/imports/')
      .set(admin())
      .field('dry_run', 'true')
      .attach('file', Buffer.from([HEADER, csvLine({ item_no: 'DRY-1', title: 'Dry' })].join('\n')), 'dry.csv');
    expect(dry.status).toBe(202);
    await worker.runner.execute(dry.body.id, { finalAttempt: true });
    expect((await auditOf(dry.body.id)).map((r) => r.action)).toEqual(['import.upload']);

    // The import's audit row fails: the merge is rolled back with it.
    await ctx.dataSource.query(
      `CREATE TRIGGER test_fail_apply BEFORE INSERT ON audit_log
         FOR EACH ROW WHEN (NEW.action = 'import.apply') EXECUTE FUNCTION test_fail()`,
    );
    const failing = await web
      .http()
      .post('/api/imports/')
      .set(admin())
      .attach('file', Buffer.from([HEADER, csvLine({ item_no: 'ROLLED-1', title: 'Gone' })].join('\n')), 'r.csv');
    expect(failing.status).toBe(202);
    await expect(worker.runner.execute(failing.body.id, { finalAttempt: true })).rejects.toThrow(/test failure/);
    expect(await productExists('ROLLED-1')).toBe(false);
    expect((await auditOf(failing.body.id)).map((r) => r.action)).toEqual(['import.upload']);
    await ctx.dataSource.query(`DROP TRIGGER test_fail_apply ON audit_log`);
  });
});
