import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Client } from 'pg';

/** Distinct titles: each is shared by rows / TITLES products, so title ordering has ties everywhere. */
export const TITLES = 20_000;
/** Distinct updated_at values (minutes apart): ties for the updated_at ordering too. */
const TIMESTAMPS = 5_000;
const NAMES = [
  'Darth Vader',
  'Luke Skywalker',
  'Iron Man',
  'Spider-Man',
  'Batman',
  'Harry Potter',
  'Pikachu',
  'Super Mario',
  'Link',
  'Wonder Woman',
  'Yoda',
  'Groot',
  'Hermione',
  'Gandalf',
  'Frodo',
  'Captain America',
  'Thor',
  'Hulk',
  'Joker',
  'Superman',
];
const KINDS = ['Helmet', 'Figure', 'Statue', 'Bust', 'Funko Pop', 'Poster', 'Mug', 'T-Shirt', 'Replica', 'Model Kit'];

/** The 8-hex token in the titles of the products with `g % TITLES === n`: `?search=<token>` finds those. */
export function titleToken(n: number): string {
  return createHash('md5').update(String(n)).digest('hex').slice(0, 8);
}

/**
 * Fills a migrated dbu database with `rows` products through `psql \copy … FROM pstdin` (text
 * format, generated here and streamed), with the products' secondary indexes dropped during the
 * load and rebuilt from their own definitions afterwards. Every 50th product is soft-deleted.
 */
export async function seedProducts(url: string, rows: number, log: (line: string) => void): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`
      INSERT INTO manufacturers (name, name_key, street, postal_code, city, country, email)
      SELECT 'Maker ' || g, 'maker ' || g, 'Street ' || g, lpad(g::text, 5, '0'), 'City', 'DE',
             CASE WHEN g % 5 = 0 THEN NULL ELSE 'safety' || g || '@maker.example' END
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
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'products' AND indexname <> 'products_pkey'`,
    );
    for (const index of indexes.rows) await db.query(`DROP INDEX ${index.indexname}`);

    let started = Date.now();
    await copyProducts(url, rows);
    log(`  ${rows} products copied in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await db.query(`SET maintenance_work_mem = '256MB'`);
    for (const index of indexes.rows) {
      started = Date.now();
      await db.query(index.indexdef);
      log(`  index ${index.indexname} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    await db.query(`VACUUM ANALYZE products`);
    await db.query(`ANALYZE manufacturers; ANALYZE licenses; ANALYZE categories`);
  } finally {
    await db.end();
  }
}

async function copyProducts(url: string, rows: number): Promise<void> {
  const columns = 'item_no, title, manufacturer_id, license_id, category_id, rrp, is_deleted, updated_at';
  const psql = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy products (${columns}) FROM pstdin`], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let errors = '';
  psql.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = once(psql, 'exit') as Promise<[number | null]>;
  const tokens = Array.from({ length: TITLES }, (_, n) => titleToken(n));
  const base = Date.parse('2026-06-01T00:00:00Z');
  const chunk: string[] = [];
  for (let g = 1; g <= rows; g += 1) {
    const t = g % TITLES;
    const title = `${NAMES[t % 20]} ${KINDS[Math.floor(t / 20) % 10]} ${tokens[t]}`;
    const updatedAt = new Date(base - (g % TIMESTAMPS) * 60_000).toISOString();
    const rrp = ((g % 10_000) / 50 + 2.99).toFixed(2);
    chunk.push(
      `ITEM-${String(g).padStart(7, '0')}\t${title}\t${1 + (g % 200)}\t${1 + (g % 300)}\t${11 + (g % 90)}\t${rrp}\t` +
        `${g % 50 === 0 ? 't' : 'f'}\t${updatedAt}\n`,
    );
    if (chunk.length === 10_000 || g === rows) {
      if (!psql.stdin.write(chunk.join(''))) await once(psql.stdin, 'drain');
      chunk.length = 0;
    }
  }
  psql.stdin.end();
  const [code] = await exited;
  if (code !== 0) throw new Error(`psql \\copy failed (${code}): ${errors}`);
}
