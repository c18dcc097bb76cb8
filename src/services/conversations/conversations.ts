import { type ServiceContext, withTransaction } from '../../context.js';
import type { Db } from '../../db/db.js';
import { NotFoundError } from '../../errors.js';
import type { Conversation, Prisma } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { namesNothing, parseInput } from '../common/validation.js';
import { type StoredItem, toStoredItems } from '../responses/response-input.js';
import {
  type CreateConversationInput,
  createConversationItemsSchema,
  createConversationSchema,
  updateConversationSchema,
} from './conversation-input.js';
import {
  appendConversationItems,
  deleteConversationItemRow,
  deleteConversationRow,
  insertConversation,
  updateConversationMetadata,
} from './store/conversation-writes.js';

type ConversationQuery = Omit<Prisma.ConversationFindFirstArgs, 'where'>;

function conversationNotFound(id: string, param: string | null = null): NotFoundError {
  return new NotFoundError(`Conversation with id '${id}' not found.`, { param });
}

/** A conversation of the caller's project; `param` names the field a 404 blames. */
export async function getConversation(
  ctx: ServiceContext,
  id: string,
  query: ConversationQuery = {},
  param: string | null = null,
): Promise<Conversation> {
  const row = namesNothing(id)
    ? null
    : await ctx.db.conversation.findFirst({
        ...query,
        where: { id, projectId: ctx.actor.projectId },
      });
  if (!row) {
    throw conversationNotFound(id, param);
  }
  return row;
}

/** Creates a conversation with its initial items, in order, in one transaction. */
export async function createConversation(
  ctx: ServiceContext,
  raw: CreateConversationInput,
): Promise<Conversation> {
  const input = parseInput(createConversationSchema, raw);
  const id = newId('conversation');
  await withTransaction(ctx, async (tx) => {
    await insertConversation(tx.db, {
      id,
      projectId: ctx.actor.projectId,
      metadata: input.metadata ?? {},
    });
    await appendConversationItems(tx.db, id, toStoredItems(input.items ?? undefined));
  });
  return getConversation(ctx, id);
}

export async function updateConversation(
  ctx: ServiceContext,
  id: string,
  raw: { metadata?: unknown },
): Promise<Conversation> {
  const input = parseInput(updateConversationSchema, raw);
  if (!(await updateConversationMetadata(ctx.db, id, ctx.actor.projectId, input.metadata))) {
    throw conversationNotFound(id);
  }
  return getConversation(ctx, id);
}

export async function deleteConversation(
  ctx: ServiceContext,
  id: string,
): Promise<{ id: string; deleted: true }> {
  if (namesNothing(id) || !(await deleteConversationRow(ctx.db, id, ctx.actor.projectId))) {
    throw conversationNotFound(id);
  }
  return { id, deleted: true };
}

/** A conversation's items, in conversation order (Default: newest first, as OpenAI lists). */
export async function listConversationItems(
  ctx: ServiceContext,
  conversationId: string,
  page?: PageInput,
) {
  await getConversation(ctx, conversationId, { select: { id: true } });
  const result = await paginate(page, {
    seqOf: async (id) =>
      (
        await ctx.db.conversationItem.findFirst({
          where: { id, conversationId },
          select: { seq: true },
        })
      )?.seq ?? null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.conversationItem.findMany({
        where: { conversationId, seq },
        orderBy,
        take,
        select: { data: true },
      }),
  });
  return { ...result, data: result.data.map((row) => row.data as StoredItem) };
}

/** Appends items, in order; returns them as stored (with their ids). */
export async function createConversationItems(
  ctx: ServiceContext,
  conversationId: string,
  raw: { items?: unknown },
): Promise<StoredItem[]> {
  const input = parseInput(createConversationItemsSchema, raw);
  await getConversation(ctx, conversationId, { select: { id: true } });
  const items = toStoredItems(input.items);
  const written = new Set(await appendConversationItems(ctx.db, conversationId, items));
  return items.filter((item) => written.has(item.id));
}

export async function getConversationItem(
  ctx: ServiceContext,
  conversationId: string,
  itemId: string,
): Promise<StoredItem> {
  await getConversation(ctx, conversationId, { select: { id: true } });
  const row = await ctx.db.conversationItem.findFirst({
    where: { id: itemId, conversationId },
    select: { data: true },
  });
  if (!row) {
    throw new NotFoundError(`Item with id '${itemId}' not found.`);
  }
  return row.data as StoredItem;
}

/** Deletes one item; returns the conversation, as OpenAI does. */
export async function deleteConversationItem(
  ctx: ServiceContext,
  conversationId: string,
  itemId: string,
): Promise<Conversation> {
  const conversation = await getConversation(ctx, conversationId);
  if (namesNothing(itemId) || !(await deleteConversationItemRow(ctx.db, conversationId, itemId))) {
    throw new NotFoundError(`Item with id '${itemId}' not found.`);
  }
  return conversation;
}

/** Every item of a conversation, oldest first: what a response on it sees before its input. */
export async function conversationHistory(db: Db, conversationId: string): Promise<StoredItem[]> {
  const rows = await db.conversationItem.findMany({
    where: { conversationId },
    orderBy: { seq: 'asc' },
    select: { data: true },
  });
  return rows.map((row) => row.data as StoredItem);
}
