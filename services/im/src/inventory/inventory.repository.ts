import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import type { InventoryOrdering, InventoryQuery } from './inventory.schemas';

export interface ItemDetailsView {
  title: string | null;
  ean: string | null;
  manufacturer: string | null;
  license: string | null;
  category: string | null;
  release_date: string | null;
  rrp: string | null;
  image_url: string | null;
  /** Where DBU serves the item's stored photos. */
  photo_urls: string[];
  gpsr_complete: boolean;
  dbu_updated_at: string | null;
  synced_at: string;
}

export interface InventoryItemView {
  item_no: string;
  title: string;
  quantity: number;
  unit_price: string | null;
  /** quantity × unit_price (0.00 without a price). */
  value: string;
  updated_at: string;
  details: ItemDetailsView | null;
}

export interface InventoryPage {
  count: number;
  page: number;
  page_size: number;
  /** Over every item matching the filters, not only this page. */
  total_quantity: number;
  total_value: string;
  results: InventoryItemView[];
}

const ORDER_BY: Record<InventoryOrdering, string> = {
  item_no: 'i.item_no ASC',
  '-item_no': 'i.item_no DESC',
  title: 'i.title ASC, i.item_no ASC',
  '-title': 'i.title DESC, i.item_no ASC',
  quantity: 'i.quantity ASC, i.item_no ASC',
  '-quantity': 'i.quantity DESC, i.item_no ASC',
  value: 'value ASC, i.item_no ASC',
  '-value': 'value DESC, i.item_no ASC',
  release_date: 'd.release_date ASC NULLS LAST, i.item_no ASC',
  '-release_date': 'd.release_date DESC NULLS LAST, i.item_no ASC',
};

interface Row {
  item_no: string;
  title: string;
  quantity: number;
  unit_price: string | null;
  value: string;
  updated_at: Date;
  has_details: boolean;
  d_title: string | null;
  ean: string | null;
  manufacturer: string | null;
  license: string | null;
  category: string | null;
  release_date: string | null;
  rrp: string | null;
  image_url: string | null;
  photo_urls: string[] | null;
  gpsr_complete: boolean | null;
  dbu_updated_at: Date | null;
  synced_at: Date | null;
}

const isTrue = (flag: string) => flag === 'true' || flag === '1';
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The inventory listing: visible, not deleted items with their DBU details. */
@Injectable()
export class InventoryRepository {
  constructor(private readonly db: DataSource) {}

  async list(query: InventoryQuery): Promise<InventoryPage> {
    const where = ['i.is_visible', 'NOT i.is_deleted'];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.search) {
      const p = param(`%${likeEscape(query.search.trim())}%`);
      where.push(`(i.item_no ILIKE ${p} OR i.title ILIKE ${p} OR d.title ILIKE ${p})`);
    }
    if (query.license) where.push(`lower(d.license) = lower(${param(query.license.trim())})`);
    if (query.category) where.push(`d.category ILIKE ${param(`${likeEscape(query.category.trim())}%`)}`);
    if (query.in_stock !== undefined) where.push(isTrue(query.in_stock) ? 'i.quantity > 0' : 'i.quantity = 0');
    if (query.has_details !== undefined) where.push(`d.item_no IS ${isTrue(query.has_details) ? 'NOT ' : ''}NULL`);
    if (query.release_from) where.push(`d.release_date >= ${param(query.release_from)}::date`);
    if (query.release_to) where.push(`d.release_date <= ${param(query.release_to)}::date`);
    const from = `FROM items i LEFT JOIN item_details d ON d.item_no = i.item_no WHERE ${where.join(' AND ')}`;

    const [totals] = await this.db.query<{ count: string; quantity: string; value: string }[]>(
      `SELECT count(*)::text AS count, coalesce(sum(i.quantity), 0)::text AS quantity,
              coalesce(sum(i.quantity * i.unit_price), 0)::numeric(20,2)::text AS value ${from}`,
      params,
    );
    const rows = await this.db.query<Row[]>(
      `SELECT i.item_no, i.title, i.quantity, i.unit_price::text,
              (i.quantity * coalesce(i.unit_price, 0))::numeric(20,2) AS value, i.updated_at,
              d.item_no IS NOT NULL AS has_details, d.title AS d_title, d.ean, d.manufacturer, d.license,
              d.category, d.release_date::text, d.rrp::text, d.image_url, d.photo_urls, d.gpsr_complete, d.dbu_updated_at,
              d.synced_at
         ${from}
        ORDER BY ${ORDER_BY[query.ordering]}
        LIMIT ${param(query.page_size)} OFFSET ${param((query.page - 1) * query.page_size)}`,
      params,
    );
    return {
      count: Number(totals.count),
      page: query.page,
      page_size: query.page_size,
      total_quantity: Number(totals.quantity),
      total_value: totals.value,
      results: rows.map(toView),
    };
  }
}

function toView(row: Row): InventoryItemView {
  return {
    item_no: row.item_no,
    title: row.title,
    quantity: row.quantity,
    unit_price: row.unit_price,
    value: String(row.value),
    updated_at: row.updated_at.toISOString(),
    details: row.has_details
      ? {
          title: row.d_title,
          ean: row.ean,
          manufacturer: row.manufacturer,
          license: row.license,
          category: row.category,
          release_date: row.release_date,
          rrp: row.rrp,
          image_url: row.image_url,
          photo_urls: row.photo_urls ?? [],
          gpsr_complete: row.gpsr_complete ?? false,
          dbu_updated_at: row.dbu_updated_at?.toISOString() ?? null,
          synced_at: row.synced_at!.toISOString(),
        }
      : null,
  };
}
