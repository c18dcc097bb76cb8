import type { Db } from '../../db/db.js';
import { queryRaw } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { StoredItem } from './response-input.js';

/**
 * Everything the model sees before a response's own input: for each response of the
 * `previous_response_id` chain, oldest first, its input items then its output items. One
 * recursive query, however long the chain. (Instructions are not carried over, as on OpenAI.)
 */
export async function responseHistory(db: Db, responseId: string): Promise<StoredItem[]> {
  const rows = await queryRaw<{ data: StoredItem }>(
    db,
    Prisma.sql`
    WITH RECURSIVE chain AS (
      SELECT p.id, p.previous_response_id, 1 AS depth
        FROM responses r JOIN responses p ON p.id = r.previous_response_id
       WHERE r.id = ${responseId}
      UNION ALL
      SELECT p.id, p.previous_response_id, chain.depth + 1
        FROM chain JOIN responses p ON p.id = chain.previous_response_id
    )
    SELECT i.data
      FROM chain JOIN response_items i ON i.response_id = chain.id
     ORDER BY chain.depth DESC, i.kind ASC, i.position ASC`,
  );
  return rows.map((row) => row.data);
}

/** A response's own items of one kind, in order. */
export async function responseItems(
  db: Db,
  responseId: string,
  kind: 'input' | 'output',
): Promise<StoredItem[]> {
  const rows = await db.responseItem.findMany({
    where: { responseId, kind },
    orderBy: { position: 'asc' },
    select: { data: true },
  });
  return rows.map((row) => row.data as StoredItem);
}
