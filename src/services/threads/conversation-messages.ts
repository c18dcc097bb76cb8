import type { ServiceContext } from '../../context.js';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import type { Message, Prisma } from '../../generated/prisma/client.js';
import { ID_PREFIXES } from '../../ids.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { getConversation } from '../conversations/conversations.js';
import type { StoredItem } from '../responses/response-input.js';
import { turnMessages } from '../responses/thread-bridge/thread-turn.js';

/**
 * The migration bridge's other direction: a conversation's user and assistant message items,
 * read through the Assistants API as the messages of a thread whose id is the conversation's.
 * Read-only: the conversation's items are written through the Conversations API (or by
 * responses), and a write through the Assistants API is a 400 saying so. Developer and system
 * messages, function calls and their outputs have no thread message and are not listed.
 */

export function isConversationId(threadId: string): boolean {
  return threadId.startsWith(ID_PREFIXES.conversation);
}

export function readOnlyConversation(conversationId: string): InvalidRequestError {
  return new InvalidRequestError(
    `${conversationId} is a conversation: its items are read-only as thread messages. Add or delete them with the Conversations API (/v1/conversations/${conversationId}/items).`,
    { param: 'threadId' },
  );
}

const messageItems = (conversationId: string): Prisma.ConversationItemWhereInput => ({
  conversationId,
  type: 'message',
  OR: [
    { data: { path: ['role'], equals: 'user' } },
    { data: { path: ['role'], equals: 'assistant' } },
  ],
});

interface ItemRow {
  id: string;
  seq: bigint;
  projectId: string;
  createdAt: Date;
  data: unknown;
}

/** A conversation's message item as the row of a thread message (never written anywhere). */
function asMessage(conversationId: string, row: ItemRow): Message {
  const item = row.data as StoredItem;
  const [carried] = turnMessages([item]);
  const status =
    item.status === 'in_progress' || item.status === 'incomplete' ? item.status : 'completed';
  return {
    id: row.id,
    seq: row.seq,
    projectId: row.projectId,
    threadId: conversationId,
    createdAt: row.createdAt,
    role: item.role === 'assistant' ? 'assistant' : 'user',
    status,
    content: (carried?.content ?? []) as Prisma.JsonValue,
    attachments: [],
    metadata: {},
    incompleteDetails: null,
    completedAt: status === 'completed' ? row.createdAt : null,
    incompleteAt: status === 'incomplete' ? row.createdAt : null,
    assistantId: null,
    runId: null,
  };
}

const itemSelect = { id: true, seq: true, projectId: true, createdAt: true, data: true } as const;

/** A page of a conversation's messages, as `listMessages` pages a thread's. */
export async function listConversationMessages(
  ctx: ServiceContext,
  conversationId: string,
  page: PageInput & { runId?: string | null },
) {
  await getConversation(ctx, conversationId, { select: { id: true } });
  const { runId, ...pageInput } = page;
  const scope = messageItems(conversationId);
  const result = await paginate(pageInput, {
    seqOf: async (id) =>
      (
        await ctx.db.conversationItem.findFirst({
          where: { ...scope, id },
          select: { seq: true },
        })
      )?.seq ?? null,
    fetch: async ({ seq, orderBy, take }) =>
      // A conversation has no runs: a run filter matches nothing.
      runId
        ? []
        : ctx.db.conversationItem.findMany({
            where: { ...scope, seq },
            orderBy,
            take,
            select: itemSelect,
          }),
  });
  return { ...result, data: result.data.map((row) => asMessage(conversationId, row)) };
}

export async function getConversationMessage(
  ctx: ServiceContext,
  conversationId: string,
  id: string,
): Promise<Message> {
  await getConversation(ctx, conversationId, { select: { id: true } });
  const row = await ctx.db.conversationItem.findFirst({
    where: { ...messageItems(conversationId), id },
    select: itemSelect,
  });
  if (!row) {
    throw new NotFoundError(`No message found with id '${id}'.`);
  }
  return asMessage(conversationId, row);
}
