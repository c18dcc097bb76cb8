import type { Db } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { Prisma } from '../../../generated/prisma/client.js';
import type { StoredItem } from '../../responses/response-input.js';

const json = (value: unknown) => Prisma.sql`${JSON.stringify(value)}::jsonb`;

export async function insertConversation(
  db: Db,
  conversation: { id: string; projectId: string; metadata: Record<string, string> },
): Promise<void> {
  await db.conversation.create({ data: conversation });
}

/** False: no such conversation in the project. */
export async function updateConversationMetadata(
  db: Db,
  id: string,
  projectId: string,
  metadata: Record<string, string>,
): Promise<boolean> {
  const { count } = await db.conversation.updateMany({
    where: { id, projectId },
    data: { metadata },
  });
  return count > 0;
}

/** Deletes a conversation with its items; its responses stay, without it. False: none. */
export async function deleteConversationRow(
  db: Db,
  id: string,
  projectId: string,
): Promise<boolean> {
  const { count } = await db.conversation.deleteMany({ where: { id, projectId } });
  return count > 0;
}

/** False: no such item in that conversation. */
export async function deleteConversationItemRow(
  db: Db,
  conversationId: string,
  itemId: string,
): Promise<boolean> {
  const { count } = await db.conversationItem.deleteMany({ where: { id: itemId, conversationId } });
  return count > 0;
}

/**
 * Appends `items` to the end of a conversation, in order, in one statement that first locks
 * the conversation's row: two appends on one conversation (two responses ending together)
 * queue behind each other, so each one's items stay contiguous, never interleaved. An item
 * whose id is already stored (an output sent back as input) is kept once, where it was.
 * Returns the items written; none when the conversation is gone.
 */
export async function appendConversationItems(
  db: Db,
  conversationId: string,
  items: StoredItem[],
): Promise<string[]> {
  if (items.length === 0) {
    return [];
  }
  const values = Prisma.join(
    items.map(
      (item, n) => Prisma.sql`(${n}::int, ${item.id}::text, ${item.type}::text, ${json(item)})`,
    ),
  );
  const rows = await queryRaw<{ id: string }>(
    db,
    Prisma.sql`
    WITH locked AS (
      SELECT id, project_id FROM conversations WHERE id = ${conversationId} FOR UPDATE
    )
    INSERT INTO conversation_items (id, conversation_id, project_id, type, data)
    SELECT v.id, locked.id, locked.project_id, v.type, v.data
      FROM locked, (VALUES ${values}) AS v(n, id, type, data)
     ORDER BY v.n
    ON CONFLICT (id) DO NOTHING
    RETURNING id`,
  );
  return rows.map((row) => row.id);
}
