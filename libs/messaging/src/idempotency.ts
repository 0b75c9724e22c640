import type { DataSource, EntityManager } from 'typeorm';

export type OnceResult<T> = { duplicate: true } | { duplicate: false; result: T };

/**
 * Runs `work` at most once per (consumer, message id): the id is recorded in the same
 * transaction as the work, so a redelivery after a crash either sees it (skip) or redoes
 * everything (the first attempt rolled back).
 */
export async function processOnce<T>(
  db: DataSource,
  consumer: string,
  messageId: string,
  work: (manager: EntityManager) => Promise<T>,
): Promise<OnceResult<T>> {
  return db.transaction(async (manager) => {
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
      [consumer, messageId],
    );
    if (inserted.length === 0) return { duplicate: true } as const;
    return { duplicate: false, result: await work(manager) } as const;
  });
}
