import { CATEGORY_SEPARATOR } from '../../catalogue/category-path';
import type { SqlExecutor } from '../../shared/sql';

/** Creates missing categories of `A > B > C` paths, parents first (idempotent). */
export async function ensureCategoryPaths(tx: SqlExecutor, paths: readonly string[]): Promise<void> {
  const levels = new Map<number, Map<string, { name: string; parent: string | null }>>();
  for (const path of paths) {
    const parts = path.split(CATEGORY_SEPARATOR);
    for (let depth = 1; depth <= parts.length; depth += 1) {
      const prefix = parts.slice(0, depth).join(CATEGORY_SEPARATOR);
      const level = levels.get(depth) ?? new Map<string, { name: string; parent: string | null }>();
      levels.set(depth, level);
      level.set(prefix, {
        name: parts[depth - 1],
        parent: depth > 1 ? parts.slice(0, depth - 1).join(CATEGORY_SEPARATOR) : null,
      });
    }
  }
  for (const depth of [...levels.keys()].sort((a, b) => a - b)) {
    const entries = [...levels.get(depth)!.entries()];
    await tx.query(
      `INSERT INTO categories (name, parent_id, path)
       SELECT v.name, parent.id, v.path
         FROM unnest($1::text[], $2::text[], $3::text[]) AS v(path, name, parent_path)
         LEFT JOIN categories parent ON parent.path = v.parent_path
       ON CONFLICT (path) DO NOTHING`,
      [entries.map(([p]) => p), entries.map(([, e]) => e.name), entries.map(([, e]) => e.parent)],
    );
  }
}
