import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The served URLs of an item's stored DBU photos (DBU's `photo_urls`), shown in its details. */
export class ItemPhotoUrls1766400000001 implements MigrationInterface {
  name = 'ItemPhotoUrls1766400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE item_details ADD COLUMN photo_urls jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE item_details DROP COLUMN photo_urls`);
  }
}
