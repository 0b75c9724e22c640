import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Client } from 'pg';
import type { DataSource } from '@pjs/database';
import { TEST_POSTGRES_URL, createTestDatabase, type TestDatabase } from '@pjs/testing';
import { createDataSource } from '@pjs/database';
import { migrate } from '../../src/cli/catalogue.commands';
import { dbuMigrations } from '../../src/database/migrations';
import { createProduct } from '../factories/catalogue.factory';

/** `pnpm dbu migrate` and the read-only role (a per-test role name: roles are cluster-wide). */
describe('migrate and the dbu_reader role', () => {
  const role = `dbu_reader_t${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let dataSource: DataSource;

  const output = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    return { stream, text: () => text };
  };

  async function connectAs(password: string): Promise<Client> {
    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    db = await createTestDatabase('dbu_reader_role');
    dataSource = createDataSource({ url: db.url, migrations: dbuMigrations, poolSize: 2 });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
    const admin = new Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    await admin.end();
  });

  it('applies the migrations and skips the role without a password', async () => {
    const out = output();
    await migrate({ DBU_READER_PASSWORD: undefined }, dataSource, out.stream, role);
    expect(out.text()).toMatch(/^applied: .*CatalogueSchema1732300000000/);
    expect(out.text()).toMatch(/skipped \(DBU_READER_PASSWORD is not set\)/);
    const again = output();
    await migrate({ DBU_READER_PASSWORD: undefined }, dataSource, again.stream, role);
    expect(again.text()).toMatch(/^database is up to date/);
  });

  it('creates the role with SELECT on the catalogue tables only', async () => {
    const out = output();
    await migrate({ DBU_READER_PASSWORD: 'first-password-123' }, dataSource, out.stream, role);
    expect(out.text()).toContain(`read-only role ${role}: created`);
    const itemNo = await createProduct(dataSource, { title: 'Readable' });

    const reader = await connectAs('first-password-123');
    try {
      const rows = await reader.query(`SELECT title FROM products WHERE item_no = $1`, [itemNo]);
      expect(rows.rows).toEqual([{ title: 'Readable' }]);
      for (const table of ['manufacturers', 'licenses', 'categories', 'product_photos', 'product_history']) {
        await expect(reader.query(`SELECT count(*) FROM ${table}`)).resolves.toBeDefined();
      }
      for (const table of ['auth_users', 'auth_tokens', 'outbox_messages']) {
        await expect(reader.query(`SELECT * FROM ${table}`)).rejects.toMatchObject({ code: '42501' });
      }
      // Read-only: no write privilege, and read-only sessions by default.
      await expect(reader.query(`UPDATE products SET title = 'x'`)).rejects.toMatchObject({ code: '25006' });
      await reader.query(`SET default_transaction_read_only = off`);
      await expect(reader.query(`UPDATE products SET title = 'x'`)).rejects.toMatchObject({ code: '42501' });
      await expect(reader.query(`CREATE TABLE sneaky (id int)`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await reader.end();
    }
  });

  it('is idempotent and updates the password', async () => {
    const hash = async (): Promise<string> => {
      const rows = await dataSource.query<{ rolpassword: string }[]>(
        `SELECT rolpassword FROM pg_authid WHERE rolname = $1`,
        [role],
      );
      return rows[0].rolpassword;
    };
    const before = await hash();
    const out = output();
    await migrate({ DBU_READER_PASSWORD: 'second-password-456' }, dataSource, out.stream, role);
    expect(out.text()).toContain(`read-only role ${role}: updated`);
    expect(await hash()).not.toBe(before);
    const grants = await dataSource.query<{ table_name: string }[]>(
      `SELECT DISTINCT table_name FROM information_schema.role_table_grants WHERE grantee = $1 ORDER BY 1`,
      [role],
    );
    expect(grants.map((g) => g.table_name)).toEqual([
      'categories',
      'licenses',
      'manufacturers',
      'product_history',
      'product_photos',
      'products',
    ]);
  });
});
