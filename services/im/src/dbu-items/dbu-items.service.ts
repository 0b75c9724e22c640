import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from '@pjs/database';
import { NotFoundApiException } from '@pjs/http';
import { DbuClient } from '../dbu-client/dbu-client';
import type { DbuProduct } from '../dbu-client/dbu-product';
import { ItemDetailsRepository, type ItemDetailsRow } from '../item-details/item-details.repository';
import { DbuItemsRepository } from './dbu-items.repository';

export interface DbuSearchHit extends DbuProduct {
  /** True when the product is already an item of ours. */
  in_inventory: boolean;
}

export interface ConfirmResult {
  status: 'created' | 'updated';
  item_no: string;
  item_created: boolean;
  details: ItemDetailsRow;
}

/** query-dbu-item and confirm-item: look products up in DBU and take them into the inventory. */
@Injectable()
export class DbuItemsService {
  constructor(
    private readonly db: DataSource,
    private readonly dbu: DbuClient,
    private readonly details: ItemDetailsRepository,
    private readonly items: DbuItemsRepository,
  ) {}

  async search(title: string, limit = 50): Promise<{ count: number; results: DbuSearchHit[] }> {
    const hits = await this.dbu.search(title.trim(), limit);
    const ours = new Set(await this.details.existingItemNos(hits.results.map((p) => p.item_no)));
    return { count: hits.count, results: hits.results.map((p) => ({ ...p, in_inventory: ours.has(p.item_no) })) };
  }

  /**
   * Fetches the product from DBU, then in one transaction creates the item if we have none
   * (quantity 0) and writes its details. 404 when DBU has no such product; 502/504 when DBU
   * cannot answer (DbuClientError). `tx`: the caller's transaction (an Idempotency-Key's: the
   * key is claimed before DBU is asked, so a concurrent repeat waits instead of asking again).
   */
  async confirm(productNo: string, tx?: EntityManager): Promise<ConfirmResult> {
    const product = await this.dbu.getProduct(productNo.trim());
    if (!product) throw new NotFoundApiException(`DBU product "${productNo.trim()}"`);
    return (tx ?? this.db.manager).transaction(async (manager) => {
      const created = await this.items.ensureItem(manager, product.item_no, product.title);
      await this.details.upsert([product], manager);
      const details = await this.details.find(product.item_no, manager);
      return {
        status: created ? 'created' : 'updated',
        item_no: product.item_no,
        item_created: created,
        details: details!,
      };
    });
  }
}
