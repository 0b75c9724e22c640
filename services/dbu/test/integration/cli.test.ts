import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TS_REGISTER } from '@pjs/testing';
import { HEADER, createDbuTestContext, csvLine, writeFixture, type DbuTestContext } from './support/dbu-test-context';

/** Runs `pnpm dbu …` from the sources (src/cli.ts, compiled on the fly like Jest does). */
function dbu(ctx: DbuTestContext, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', TS_REGISTER, join(__dirname, '../../src/cli.ts'), ...args], {
      env: {
        ...process.env,
        DATABASE_URL: ctx.databaseUrl,
        MEDIA_DIR: ctx.mediaDir,
        // No broker here: the CLI must still finish (the event waits in the outbox).
        RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1',
        LOG_LEVEL: 'warn',
        USER: 'cli-tester',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pnpm dbu import / cleanup-uploads (the CLI)', () => {
  let ctx: DbuTestContext;

  beforeAll(async () => {
    ctx = await createDbuTestContext('cli');
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('imports with a progress bar, reports a duplicate, and shows a dry run diff', async () => {
    const file = await writeFixture(
      ctx,
      'cli.csv',
      [HEADER, csvLine({ item_no: 'CLI-1', title: 'Eins', ek: '1,00' }), csvLine({ item_no: 'CLI-2', title: '' })].join(
        '\n',
      ),
    );
    const first = await dbu(ctx, ['import', file, '--errors-csv', join(ctx.dir, 'errors.csv')]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^import [0-9a-f-]{36}: succeeded$/m);
    expect(first.stdout).toMatch(/products new 1, changed 0, unchanged 0; invalid rows 1/);
    expect(first.stdout).toMatch(/queued in the outbox/);
    expect(first.stdout).toMatch(/rejected rows written to/);
    expect(first.stderr).toMatch(/100% \| succeeded \| 2 rows/);
    const [run] = await ctx.dataSource.query(`SELECT source, requested_by FROM import_runs`);
    expect(run).toEqual({ source: 'cli', requested_by: 'cli-tester' });

    const again = await dbu(ctx, ['import', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^duplicate: this file .* was already imported as [0-9a-f-]{36} \(succeeded/m);

    const changed = await writeFixture(
      ctx,
      'cli-2.csv',
      [HEADER, csvLine({ item_no: 'CLI-1', title: 'Eins', ek: '2,00' })].join('\n'),
    );
    const dry = await dbu(ctx, ['import', changed, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/succeeded \(dry run, nothing changed\)/);
    expect(dry.stdout).toMatch(/CLI-1: purchase_price 1\.00 → 2\.00/);

    const rejected = await dbu(ctx, ['import', file, '--force', '--error-policy', 'reject-all']);
    expect(rejected.code).toBe(2);
    expect(rejected.stdout).toMatch(/: rejected$/m);

    const bad = await dbu(ctx, ['import', file, '--error-policy', 'ignore']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error-policy/);
  }, 180_000);

  it('caps a token expiry like the API does (at most 36500d)', async () => {
    const args = ['tokens', 'create', '--user', 'nobody', '--name', 'mail parser', '--scope', 'products:read'];
    const tooLong = await dbu(ctx, [...args, '--expires', '36501d']);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/--expires: "36501d" is not a duration such as 90d or 12h, at most 36500d/);
    expect(tooLong.stdout).toBe('');
    expect(await ctx.dataSource.query(`SELECT 1 FROM auth_tokens`)).toEqual([]);
  }, 60_000);

  it('cleans up uploads by age and refuses a bad --older-than', async () => {
    const dry = await dbu(ctx, ['cleanup-uploads', '--older-than', '0s', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^would delete 2 of 2 upload files/m);
    const bad = await dbu(ctx, ['cleanup-uploads', '--older-than', 'soon']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--older-than: "soon" is not a duration/);
  }, 60_000);
});
