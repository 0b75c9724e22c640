import { randomUUID } from 'node:crypto';
import { access, mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UploadCleanupService } from '../../src/cleanup/upload-cleanup.service';
import {
  HEADER,
  createDbuTestContext,
  csvLine,
  importRun,
  writeFixture,
  type DbuTestContext,
} from './support/dbu-test-context';

const DAY = 86_400_000;
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('cleanup-uploads', () => {
  let ctx: DbuTestContext;
  let cleanup: UploadCleanupService;

  beforeAll(async () => {
    ctx = await createDbuTestContext('cleanup');
    cleanup = new UploadCleanupService(ctx.services.media, ctx.services.runs, ctx.logger);
  });

  afterAll(async () => {
    await ctx.close();
  });

  const age = async (path: string, days: number) => {
    const when = new Date(Date.now() - days * DAY);
    await utimes(path, when, when);
  };

  it('deletes old upload files no running import needs, never the database records', async () => {
    const done = await importRun(
      ctx,
      await writeFixture(ctx, 'a.csv', [HEADER, csvLine({ item_no: 'CL-1', title: 'a' })].join('\n')),
    );
    const recent = await importRun(
      ctx,
      await writeFixture(ctx, 'b.csv', [HEADER, csvLine({ item_no: 'CL-2', title: 'b' })].join('\n')),
    );
    // A queued import (the worker has not run it yet) needs its file whatever its age.
    const queuedFile = await ctx.services.media.saveLocalFile(
      await writeFixture(ctx, 'c.csv', [HEADER, csvLine({ item_no: 'CL-3', title: 'c' })].join('\n')),
    );
    const queued = await ctx.services.requests.submit({
      kind: 'catalogue',
      file: queuedFile,
      errorPolicy: 'apply-valid',
      dryRun: false,
      force: false,
      source: 'upload',
      requestedBy: 'x',
      enqueue: false,
    });
    const partial = join(ctx.services.media.uploadsDir, 'tmp', `${randomUUID()}.part`);
    await mkdir(join(ctx.services.media.uploadsDir, 'tmp'), { recursive: true });
    await writeFile(partial, 'half an upload');
    const paths = {
      done: ctx.services.media.uploadPath(done.file_sha256),
      recent: ctx.services.media.uploadPath(recent.file_sha256),
      queued: ctx.services.media.uploadPath(queuedFile.sha256),
    };
    await age(paths.done, 40);
    await age(paths.recent, 5);
    await age(paths.queued, 40);
    await age(partial, 40);
    const runsBefore = await ctx.dataSource.query(`SELECT id, status FROM import_runs ORDER BY id`);

    const dry = await cleanup.cleanup({ olderThanMs: 30 * DAY, dryRun: true });
    expect(dry).toMatchObject({ scanned: 4, deleted: 2, keptForLiveImports: 1, dryRun: true });
    expect(await exists(paths.done)).toBe(true);

    const result = await cleanup.cleanup({ olderThanMs: 30 * DAY });
    expect(result).toMatchObject({ scanned: 4, deleted: 2, keptForLiveImports: 1, dryRun: false });
    expect(result.bytesFreed).toBeGreaterThan(0);
    expect(await exists(paths.done)).toBe(false);
    expect(await exists(partial)).toBe(false);
    expect(await exists(paths.recent)).toBe(true);
    expect(await exists(paths.queued)).toBe(true);
    expect(await ctx.dataSource.query(`SELECT id, status FROM import_runs ORDER BY id`)).toEqual(runsBefore);
    expect(queued.duplicate).toBe(false);

    // The run of a deleted file is still there, and retrying it says the file is gone.
    await ctx.dataSource.query(`UPDATE import_runs SET status = 'queued' WHERE id = $1`, [done.id]);
    const retry = await ctx.services.runner.execute(done.id, { finalAttempt: false });
    expect(retry).toEqual({ result: 'failed', error: expect.stringMatching(/no longer stored/) });
  });
});
