import type { DataSource } from '@pjs/database';

/** The fields IM copies from DBU, as text, per item. */
type Fields = Record<string, string | null>;

const UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`;

/**
 * Compares IM's item_details with DBU's products for the given items, field by field (title, EAN,
 * manufacturer, license, category, release date, RRP, image, GPSR completeness and DBU's
 * updated_at). Answers the differences, at most `limit` of them, as readable lines.
 */
export async function compareWithDbu(
  im: DataSource,
  dbu: DataSource,
  itemNos: readonly string[],
  limit = 20,
): Promise<string[]> {
  const dbuRows = await dbu.query<Fields[]>(
    `SELECT p.item_no, p.title, p.ean, m.name AS manufacturer, l.name AS license, c.name AS category,
            to_char(p.release_date, 'YYYY-MM-DD') AS release_date, to_char(p.rrp, 'FM9999999990.00') AS rrp,
            p.image_url, coalesce(m.gpsr_complete, false)::text AS gpsr_complete, ${UTC('p.updated_at')} AS updated_at
       FROM products p
       LEFT JOIN manufacturers m ON m.id = p.manufacturer_id
       LEFT JOIN licenses l ON l.id = p.license_id
       LEFT JOIN categories c ON c.id = p.category_id
      WHERE p.item_no = ANY($1::text[])`,
    [itemNos],
  );
  const imRows = await im.query<Fields[]>(
    `SELECT item_no, title, ean, manufacturer, license, category, to_char(release_date, 'YYYY-MM-DD') AS release_date,
            to_char(rrp, 'FM9999999990.00') AS rrp, image_url, gpsr_complete::text AS gpsr_complete,
            ${UTC('dbu_updated_at')} AS updated_at
       FROM item_details WHERE item_no = ANY($1::varchar[])`,
    [itemNos],
  );
  const dbuBy = new Map(dbuRows.map((r) => [r.item_no, r]));
  const imBy = new Map(imRows.map((r) => [r.item_no, r]));
  const differences: string[] = [];
  for (const itemNo of itemNos) {
    if (differences.length >= limit) break;
    const want = dbuBy.get(itemNo);
    const got = imBy.get(itemNo);
    if (!want) differences.push(`${itemNo}: not in DBU`);
    else if (!got) differences.push(`${itemNo}: no details in IM`);
    else {
      const fields = Object.keys(want).filter((k) => want[k] !== got[k]);
      if (fields.length > 0)
        differences.push(`${itemNo}: ${fields.map((f) => `${f} ${got[f]} ≠ ${want[f]}`).join(', ')}`);
    }
  }
  return differences;
}
