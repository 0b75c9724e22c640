import { Client } from 'pg';

/**
 * Fills a migrated dbu database with a synthetic catalogue, set-wise in PostgreSQL
 * (generate_series), with the products' secondary indexes dropped during the load and rebuilt
 * afterwards from their own definitions.
 *
 * Titles look like "Darth Vader Helmet 3f2a9c1e #123456": the 8-hex token is shared by
 * rows / 20 000 products, so `?search=<token>` finds about 50 of the 1M rows.
 */
export async function loadCatalogue(url: string, rows: number, log: (line: string) => void): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`SET maintenance_work_mem = '256MB'`);
    await db.query(`SET synchronous_commit = off`);
    log('manufacturers, licenses, categories');
    await db.query(`
      INSERT INTO manufacturers (name, name_key, street, postal_code, city, country, email, eu_responsible_name,
                                 eu_responsible_address, eu_responsible_email)
      SELECT 'Maker ' || g, 'maker ' || g, 'Street ' || g, lpad(g::text, 5, '0'), 'City', 
             CASE WHEN g % 4 = 0 THEN 'CN' ELSE 'DE' END,
             CASE WHEN g % 5 = 0 THEN NULL ELSE 'safety' || g || '@maker.example' END,
             CASE WHEN g % 8 = 0 THEN 'EU Rep ' || g END, CASE WHEN g % 8 = 0 THEN 'Rue 1, Paris' END,
             CASE WHEN g % 8 = 0 THEN 'rep@eu.example' END
        FROM generate_series(1, 200) g`);
    await db.query(
      `INSERT INTO licenses (name, name_key) SELECT 'License ' || g, 'license ' || g FROM generate_series(1, 300) g`,
    );
    await db.query(
      `INSERT INTO categories (name, path, external_id) SELECT 'Root ' || g, 'Root ' || g, 'R' || g FROM generate_series(1, 10) g`,
    );
    await db.query(`
      INSERT INTO categories (name, parent_id, path, external_id)
      SELECT 'Leaf ' || g, 1 + g % 10, 'Root ' || (1 + g % 10) || '/Leaf ' || g, 'L' || g FROM generate_series(1, 90) g`);

    const indexes = await db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes
        WHERE tablename = 'products' AND indexname NOT IN ('products_pkey')`,
    );
    for (const index of indexes.rows) await db.query(`DROP INDEX ${index.indexname}`);

    log(`${rows} products`);
    const started = Date.now();
    await db.query(
      `INSERT INTO products (item_no, ean, title, manufacturer_id, license_id, category_id, purchase_price, rrp,
                             release_date, weight_kg, image_url, safety_warnings, discount_percent,
                             discount_order_number, content_hash, updated_at)
       SELECT 'ITEM-' || lpad(g::text, 7, '0'),
              b || ((10 - (SELECT sum(substr(b, k, 1)::int * CASE WHEN k % 2 = 1 THEN 1 ELSE 3 END)
                             FROM generate_series(1, 12) k) % 10) % 10),
              (ARRAY['Darth Vader','Luke Skywalker','Iron Man','Spider-Man','Batman','Harry Potter','Pikachu',
                     'Super Mario','Link','Wonder Woman','Yoda','Groot','Hermione','Gandalf','Frodo',
                     'Captain America','Thor','Hulk','Joker','Superman'])[1 + g % 20]
                || ' ' || (ARRAY['Helmet','Figure','Statue','Bust','Funko Pop','Poster','Mug','T-Shirt',
                                  'Replica','Model Kit'])[1 + (g / 20) % 10]
                || ' ' || substr(md5((g % 20000)::text), 1, 8) || ' #' || g,
              1 + g % 200, 1 + g % 300, 11 + g % 90,
              round((g % 10000) / 100.0 + 1, 2), round((g % 10000) / 50.0 + 2.99, 2),
              date '2020-01-01' + (g % 2500), round((g % 5000) / 1000.0 + 0.1, 3),
              'https://img.example.com/' || g || '.jpg',
              CASE WHEN g % 3 = 0 THEN 'Not suitable for children under 3 years. Small parts.' END,
              CASE WHEN g % 10 = 0 THEN 5 END, CASE WHEN g % 10 = 0 THEN 'ORD-' || (g % 997) END,
              md5(g::text), now() - (g % 1000) * interval '1 hour'
         FROM generate_series(1, $1::int) g,
              LATERAL (SELECT '40' || lpad(g::text, 10, '0') AS b) ean`,
      [rows],
    );
    log(`  inserted in ${((Date.now() - started) / 1000).toFixed(1)} s; photos`);
    await db.query(
      `INSERT INTO product_photos (item_no, source_url, status, path, content_type, bytes, fetched_at)
       SELECT 'ITEM-' || lpad(g::text, 7, '0'), 'https://img.example.com/' || g || '-' || n || '.jpg', 'stored',
              'photos/' || g || '-' || n || '.jpg', 'image/jpeg', 40000 + n, now()
         FROM generate_series(5, $1::int, 5) g, generate_series(1, 2) n`,
      [rows],
    );
    for (const index of indexes.rows) {
      const t = Date.now();
      await db.query(index.indexdef);
      log(`  index ${index.indexname} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    await db.query(`VACUUM ANALYZE products`);
    await db.query(`VACUUM ANALYZE product_photos`);
    await db.query(`ANALYZE manufacturers; ANALYZE licenses; ANALYZE categories`);
  } finally {
    await db.end();
  }
}
