import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  assertDatabaseReachable,
  createDataSource,
  DatabaseNotMigratedError,
  DatabaseUnreachableError,
  ensureDatabase,
  openDatabase,
  runMigrations,
  withDatabase,
} from '@pjs/database';
import { TEST_POSTGRES_URL } from '@pjs/testing';
import { Client } from 'pg';

describe('database start-up', () => {
  it('fails with a message naming the host when nothing listens', async () => {
    const err = await assertDatabaseReachable('postgres://postgres@127.0.0.1:1/x', 2000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect((err as Error).message).toBe('database at 127.0.0.1:1 is unreachable (ECONNREFUSED)');
  });

  it('fails within the timeout when the host does not answer', async () => {
    // 10.255.255.1 is unrouted: the connect hangs, so only the timeout can end it.
    const err = await assertDatabaseReachable('postgres://postgres@10.255.255.1:5432/x', 1000).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^database at 10\.255\.255\.1:5432 is unreachable/);
  });

  it('says when the database does not exist', async () => {
    const err = await assertDatabaseReachable(withDatabase(TEST_POSTGRES_URL, 'no_such_db_x1'), 2000).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/database "no_such_db_x1" does not exist/);
  });

  it('creates a missing database once, also when asked twice at the same time', async () => {
    const name = `t_ensure_${Date.now()}`;
    const url = withDatabase(TEST_POSTGRES_URL, name);
    const created = await Promise.all([ensureDatabase(url), ensureDatabase(url)]);
    expect(created.filter(Boolean).length).toBeLessThanOrEqual(1);
    await assertDatabaseReachable(url);
    const admin = new Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE "${name}"`);
    await admin.end();
  });

  // Uses the built library (pnpm build runs before pnpm test in CI and pnpm dev).
  it('makes a real process exit non-zero within 10 s naming the host', () => {
    const started = Date.now();
    const script = `require('${join(__dirname, '..', 'dist', 'index.js').replace(/\\/g, '/')}')
      .openDatabase({ url: 'postgres://postgres@127.0.0.1:1/dbu' })
      .catch((e) => { process.stderr.write(e.message); process.exit(1); });`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 15_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('127.0.0.1:1');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('schema check at start-up', () => {
  class First1700000000001 {
    name = 'First1700000000001';
    async up(q: { query(sql: string): Promise<unknown> }): Promise<void> {
      await q.query(`CREATE TABLE first_table (id int)`);
    }
    async down(): Promise<void> {}
  }
  class Second1700000000002 {
    name = 'Second1700000000002';
    async up(q: { query(sql: string): Promise<unknown> }): Promise<void> {
      await q.query(`CREATE TABLE second_table (id int)`);
    }
    async down(): Promise<void> {}
  }
  const name = `t_migrated_${Date.now()}`;
  const url = withDatabase(TEST_POSTGRES_URL, name);
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  const open = (migrations: (typeof First1700000000001 | typeof Second1700000000002)[]) =>
    openDatabase({ url, migrations, howToMigrate: '`pnpm x migrate`' });

  it('refuses a database without any migration, saying what to run', async () => {
    const err = await open([First1700000000001]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseNotMigratedError);
    expect((err as Error).message).toBe(
      `database "${name}" at 127.0.0.1:5432 lacks 1 migration(s) of this build (first: First1700000000001): run \`pnpm x migrate\``,
    );
  });

  it('refuses a schema older than the build and accepts it once migrated', async () => {
    const migrator = createDataSource({ url, migrations: [First1700000000001] });
    await migrator.initialize();
    await runMigrations(migrator);
    await migrator.destroy();

    await expect(open([First1700000000001, Second1700000000002])).rejects.toThrow(
      /lacks 1 migration\(s\) of this build \(first: Second1700000000002\)/,
    );
    const current = await open([First1700000000001]);
    expect(current.isInitialized).toBe(true);
    await current.destroy();
  });
});
