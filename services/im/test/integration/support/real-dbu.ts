import { buildDbuWebApp, dbuMigrations, loadDbuConfig } from '@pjs/dbu';
import type { DataSource } from '@pjs/database';
import type { WebApp } from '@pjs/http';
import { createMigratedDatabase, createTestUser, TcpProxy, type TestUser } from '@pjs/testing';
import { closeApp, testLogger } from './sync-harness';

/**
 * The REAL dbu-web app for IM's sync tests, in-process and imported through DBU's package entry,
 * on its own database, behind a TcpProxy (so a test can take DBU down and bring it back).
 */

export interface DbuSeedProduct {
  item_no: string;
  title: string;
  license?: string | null;
  category?: string | null;
  rrp?: string | null;
  release_date?: string | null;
  image_url?: string | null;
  /** The product's manufacturer has complete GPSR data (default true). */
  gpsr_complete?: boolean;
  /** Marks the product as written by this import (`?changed_in_import=<id>`). */
  import_id?: string;
}

export interface RealDbu {
  /** The dbu-web app itself (its providers: tokens, accounts). */
  app: WebApp;
  dataSource: DataSource;
  /** Where im should call DBU: through the proxy. */
  url: string;
  /** DBU's own listener (bypassing the proxy). */
  directUrl: string;
  user: TestUser;
  proxy: TcpProxy;
  seed(products: readonly DbuSeedProduct[]): Promise<void>;
  close(): Promise<void>;
}

/** The real dbu-web app, its database migrated, a user for IM and a TcpProxy in front. */
export async function startRealDbu(label: string, rabbitUrl: string): Promise<RealDbu> {
  const { dataSource, db, close } = await createMigratedDatabase(`${label}_dbu`, { migrations: dbuMigrations });
  const config = await loadDbuConfig({ DATABASE_URL: db.url, RABBITMQ_URL: rabbitUrl, LOG_LEVEL: 'error' });
  const app = await buildDbuWebApp(config, dataSource, testLogger('dbu-web'));
  await app.listen(0, '127.0.0.1');
  const port = app.getHttpServer().address() as { port: number };
  const proxy = new TcpProxy('127.0.0.1', port.port);
  await proxy.start();
  const user = await createTestUser(dataSource, { username: 'im-sync' });
  await dataSource.query(`
    INSERT INTO licenses (name, name_key) VALUES ('Star Wars', 'star wars'), ('Marvel', 'marvel');
    INSERT INTO categories (name, path) VALUES ('Vehicles', 'Toys/Vehicles'), ('Figures', 'Toys/Figures');
    INSERT INTO manufacturers (name, name_key, street, postal_code, city, country, email)
      VALUES ('Hasbro', 'hasbro', 'Main St 1', '12345', 'Berlin', 'DE', 'gpsr@hasbro.example');
    INSERT INTO manufacturers (name, name_key) VALUES ('Nameless', 'nameless');`);
  return {
    app,
    dataSource,
    url: `http://127.0.0.1:${proxy.port}`,
    directUrl: `http://127.0.0.1:${port.port}`,
    user,
    proxy,
    seed: (products) => seedDbu(dataSource, products),
    close: async () => {
      await proxy.stop();
      await closeApp(app);
      await close();
    },
  };
}

/** Inserts or replaces catalogue products with plain SQL (as an import would leave them). */
export async function seedDbu(dataSource: DataSource, products: readonly DbuSeedProduct[]): Promise<void> {
  const rows = products.map((p) => ({
    item_no: p.item_no,
    title: p.title,
    license: p.license ?? null,
    category: p.category ?? null,
    rrp: p.rrp ?? null,
    release_date: p.release_date ?? null,
    image_url: p.image_url ?? null,
    manufacturer: p.gpsr_complete === false ? 'nameless' : 'hasbro',
    import_id: p.import_id ?? null,
  }));
  await dataSource.query(
    `INSERT INTO products (item_no, title, license_id, category_id, manufacturer_id, rrp, release_date, image_url,
                           last_import_id, updated_at)
     SELECT r.item_no, r.title, l.id, c.id, m.id, r.rrp, r.release_date, r.image_url, r.import_id, clock_timestamp()
       FROM jsonb_to_recordset($1::jsonb) AS r(item_no text, title text, license text, category text, rrp numeric,
            release_date date, image_url text, manufacturer text, import_id uuid)
       LEFT JOIN licenses l ON l.name = r.license
       LEFT JOIN categories c ON c.name = r.category
       LEFT JOIN manufacturers m ON m.name_key = r.manufacturer
     ON CONFLICT (item_no) DO UPDATE SET title = EXCLUDED.title, license_id = EXCLUDED.license_id,
        category_id = EXCLUDED.category_id, manufacturer_id = EXCLUDED.manufacturer_id, rrp = EXCLUDED.rrp,
        release_date = EXCLUDED.release_date, image_url = EXCLUDED.image_url,
        last_import_id = EXCLUDED.last_import_id, updated_at = EXCLUDED.updated_at`,
    [JSON.stringify(rows)],
  );
}
