import { randomBytes } from 'node:crypto';
import type { DataSource } from '@pjs/database';
import { nameKey } from '../../src/catalogue/name-key';

/** Test data for the catalogue tables, written with plain SQL (as the worker would). */

let sequence = 0;
const next = (): number => (sequence += 1);
const unique = (): string => `${next()}${randomBytes(2).toString('hex')}`;

/** A valid EAN-13 from 12 digits (adds the check digit). */
export function ean13(first12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return `${first12}${(10 - (sum % 10)) % 10}`;
}

export function randomEan(): string {
  let digits = '400';
  while (digits.length < 12) digits += String(Math.floor(Math.random() * 10));
  return ean13(digits);
}

export interface ManufacturerInput {
  name?: string;
  street?: string | null;
  postal_code?: string | null;
  city?: string | null;
  country?: string | null;
  email?: string | null;
  contact_url?: string | null;
  eu_responsible_name?: string | null;
  eu_responsible_address?: string | null;
  eu_responsible_email?: string | null;
}

/** A manufacturer with complete GPSR data (EU-based) unless fields are overridden. */
export async function createManufacturer(ds: DataSource, input: ManufacturerInput = {}): Promise<number> {
  const m = {
    name: `Maker ${unique()}`,
    street: 'Hauptstr. 1',
    postal_code: '10115',
    city: 'Berlin',
    country: 'DE',
    email: 'safety@example.com',
    contact_url: null,
    eu_responsible_name: null,
    eu_responsible_address: null,
    eu_responsible_email: null,
    ...input,
  };
  const rows = await ds.query<{ id: number }[]>(
    `INSERT INTO manufacturers (name, name_key, street, postal_code, city, country, email, contact_url,
       eu_responsible_name, eu_responsible_address, eu_responsible_email)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      m.name,
      nameKey(m.name),
      m.street,
      m.postal_code,
      m.city,
      m.country,
      m.email,
      m.contact_url,
      m.eu_responsible_name,
      m.eu_responsible_address,
      m.eu_responsible_email,
    ],
  );
  return rows[0].id;
}

export async function createLicense(ds: DataSource, name = `License ${unique()}`): Promise<number> {
  const rows = await ds.query<{ id: number }[]>(`INSERT INTO licenses (name, name_key) VALUES ($1, $2) RETURNING id`, [
    name,
    nameKey(name),
  ]);
  return rows[0].id;
}

export async function createCategory(
  ds: DataSource,
  input: { name?: string; parentId?: number | null; path?: string; externalId?: string | null; position?: number } = {},
): Promise<number> {
  const name = input.name ?? `Category ${unique()}`;
  let path = input.path;
  if (path === undefined) {
    const parent = input.parentId
      ? (await ds.query<{ path: string }[]>(`SELECT path FROM categories WHERE id = $1`, [input.parentId]))[0]?.path
      : undefined;
    path = parent ? `${parent}/${name}` : name;
  }
  const rows = await ds.query<{ id: number }[]>(
    `INSERT INTO categories (name, parent_id, path, external_id, position) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [name, input.parentId ?? null, path, input.externalId ?? null, input.position ?? 0],
  );
  return rows[0].id;
}

export interface ProductInput {
  item_no?: string;
  ean?: string | null;
  title?: string;
  description?: string | null;
  manufacturer_id?: number | null;
  license_id?: number | null;
  category_id?: number | null;
  purchase_price?: string | null;
  rrp?: string | null;
  release_date?: string | null;
  weight_kg?: string | null;
  image_url?: string | null;
  safety_warnings?: string | null;
  discount_percent?: string | null;
  discount_amount?: string | null;
  discount_order_number?: string | null;
  is_deleted?: boolean;
  last_import_id?: string | null;
  updated_at?: string;
}

export async function createProduct(ds: DataSource, input: ProductInput = {}): Promise<string> {
  const p = {
    item_no: `IT-${unique()}`,
    ean: randomEan(),
    title: `Product ${unique()}`,
    description: null,
    manufacturer_id: null,
    license_id: null,
    category_id: null,
    purchase_price: '10.00',
    rrp: '19.99',
    release_date: null,
    weight_kg: null,
    image_url: null,
    safety_warnings: null,
    discount_percent: null,
    discount_amount: null,
    discount_order_number: null,
    is_deleted: false,
    last_import_id: null,
    ...input,
  };
  await ds.query(
    `INSERT INTO products (item_no, ean, title, description, manufacturer_id, license_id, category_id,
       purchase_price, rrp, release_date, weight_kg, image_url, safety_warnings, discount_percent,
       discount_amount, discount_order_number, is_deleted, last_import_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             coalesce($19::timestamptz, now()))`,
    [
      p.item_no,
      p.ean,
      p.title,
      p.description,
      p.manufacturer_id,
      p.license_id,
      p.category_id,
      p.purchase_price,
      p.rrp,
      p.release_date,
      p.weight_kg,
      p.image_url,
      p.safety_warnings,
      p.discount_percent,
      p.discount_amount,
      p.discount_order_number,
      p.is_deleted,
      p.last_import_id,
      input.updated_at ?? null,
    ],
  );
  return p.item_no;
}

export async function createPhoto(
  ds: DataSource,
  itemNo: string,
  input: { source_url?: string; status?: 'pending' | 'stored' | 'failed'; path?: string | null } = {},
): Promise<number> {
  const rows = await ds.query<{ id: string }[]>(
    `INSERT INTO product_photos (item_no, source_url, status, path, content_type, bytes, fetched_at)
     VALUES ($1, $2, $3::varchar, $4, CASE WHEN $3 = 'stored' THEN 'image/jpeg' END, CASE WHEN $3 = 'stored' THEN 1234 END,
             CASE WHEN $3 = 'stored' THEN now() END)
     RETURNING id`,
    [
      itemNo,
      input.source_url ?? `https://img.example.com/${unique()}.jpg`,
      input.status ?? 'stored',
      input.path ?? null,
    ],
  );
  return Number(rows[0].id);
}
