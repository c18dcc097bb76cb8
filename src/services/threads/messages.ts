import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { queryRaw } from '../../db/raw-sql.js';
import { messageSql } from '../../db/row-sql.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { type Message, Prisma } from '../../generated/prisma/client.js';
import { type PageFetch, type PageInput, paginate } from '../common/pagination.js';
import { wantsWholeRow } from '../common/row-query.js';
import { metadataSchema, namesNothing, parseInput } from '../common/validation.js';
import {
  insertMessageUnlessBlocked,
  deleteMessage as removeMessage,
  insertMessage as storeMessage,
  updateMessageMetadata,
} from '../runs/store/message-writes.js';
import {
  getConversationMessage,
  isConversationId,
  listConversationMessages,
  readOnlyConversation,
} from './conversation-messages.js';
import { addAttachmentsToThreadStore } from './message-attachments.js';
import {
  assertMessageFilesExist,
  attachmentSchema,
  messageContentInputSchema,
  toStoredContent,
} from './message-content.js';
import { assertThreadExists, lockThreadForMessages } from './thread-lock.js';

export const createMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.array(messageContentInputSchema).min(1),
  attachments: z.array(attachmentSchema).nullish(),
  metadata: metadataSchema.nullish(),
});

const updateMessageSchema = z.object({ metadata: metadataSchema.nullish() });

export type CreateMessageInput = z.input<typeof createMessageSchema>;
export type UpdateMessageInput = z.input<typeof updateMessageSchema>;

type MessageQuery = Pick<Prisma.MessageFindFirstArgs, 'select' | 'include'>;

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No message found with id '${id}'.`);
}

/**
 * Writes one user- or assistant-authored message (already parsed). Shared by createMessage,
 * createThread's initial messages and, later, a run's additional_messages.
 */
export async function insertMessage(
  ctx: ServiceContext,
  threadId: string,
  message: z.output<typeof createMessageSchema>,
  param: string,
) {
  await assertMessageFilesExist(ctx, message.content, message.attachments, param);
  await addAttachmentsToThreadStore(ctx, threadId, message.attachments, attachmentsParam(param));
  return storeMessage(ctx.db, {
    projectId: ctx.actor.projectId,
    threadId,
    role: message.role,
    content: toStoredContent(message.content),
    attachments: message.attachments ?? [],
    metadata: message.metadata ?? {},
  });
}

function attachmentsParam(param: string): string {
  return param === '' ? 'attachments' : `${param}.attachments`;
}

/** Files to check or attach to the thread's store: only then does adding a message take more. */
function referencesFiles(message: z.output<typeof createMessageSchema>): boolean {
  return (
    (message.attachments ?? []).length > 0 ||
    message.content.some((part) => part.type === 'image_file')
  );
}

/** A message without files, in one statement; the same errors, in the same order, as the lock. */
async function insertPlainMessage(
  ctx: ServiceContext,
  threadId: string,
  message: z.output<typeof createMessageSchema>,
) {
  const result = await insertMessageUnlessBlocked(ctx.db, {
    projectId: ctx.actor.projectId,
    threadId,
    role: message.role,
    content: toStoredContent(message.content),
    attachments: [],
    metadata: message.metadata ?? {},
  });
  if (!('blocked' in result)) {
    return result;
  }
  if (result.blocked === 'no_thread') {
    throw new NotFoundError(`No thread found with id '${threadId}'.`);
  }
  throw new ConflictError(
    `Can't add messages to ${threadId} while a run ${result.runId} is active.`,
  );
}

export async function createMessage(
  ctx: ServiceContext,
  threadId: string,
  input: CreateMessageInput,
  query: MessageQuery = {},
) {
  if (isConversationId(threadId)) {
    throw readOnlyConversation(threadId);
  }
  const data = parseInput(createMessageSchema, input);
  const message = referencesFiles(data)
    ? await withTransaction(ctx, async (tx) => {
        await lockThreadForMessages(tx, threadId);
        return insertMessage(tx, threadId, data, '');
      })
    : await insertPlainMessage(ctx, threadId, data);
  // The insert returned the whole row: read it again only for a narrower or wider selection.
  return wantsWholeRow(query) ? message : getMessage(ctx, threadId, message.id, query);
}

export async function findMessage(
  ctx: ServiceContext,
  threadId: string,
  id: string,
  query: MessageQuery = {},
) {
  if (namesNothing(id) || namesNothing(threadId)) {
    return null;
  }
  return ctx.db.message.findFirst({
    ...query,
    where: { id, threadId, projectId: ctx.actor.projectId },
  });
}

export async function getMessage(
  ctx: ServiceContext,
  threadId: string,
  id: string,
  query: MessageQuery = {},
) {
  if (isConversationId(threadId)) {
    return getConversationMessage(ctx, threadId, id);
  }
  await assertThreadExists(ctx, threadId);
  const message = await findMessage(ctx, threadId, id, query);
  if (!message) {
    throw notFound(id);
  }
  return message;
}

export async function listMessages(
  ctx: ServiceContext,
  threadId: string,
  page?: PageInput & { runId?: string | null },
  query: MessageQuery = {},
) {
  if (isConversationId(threadId)) {
    return listConversationMessages(ctx, threadId, page ?? {});
  }
  await assertThreadExists(ctx, threadId);
  const scope = {
    threadId,
    projectId: ctx.actor.projectId,
    ...(page?.runId ? { runId: page.runId } : {}),
  };
  const { runId: _runId, ...pageInput } = page ?? {};
  return paginate(pageInput, {
    seqOf: async (id) =>
      (await ctx.db.message.findFirst({ where: { ...scope, id }, select: { seq: true } }))?.seq ??
      null,
    fetch: ({ seq, orderBy, take }) =>
      wantsWholeRow(query)
        ? fetchMessagePage(ctx, scope, { seq, orderBy, take })
        : ctx.db.message.findMany({ ...query, where: { ...scope, seq }, orderBy, take }),
  });
}

/**
 * A page of whole messages by raw SQL: chat front ends list a thread's messages after every
 * answer, and Prisma's query compiler cost several times the statement's own CPU.
 */
async function fetchMessagePage(
  ctx: ServiceContext,
  scope: { threadId: string; projectId: string; runId?: string },
  { seq, orderBy, take }: PageFetch,
): Promise<Message[]> {
  const conditions = [
    Prisma.sql`thread_id = ${scope.threadId}`,
    Prisma.sql`project_id = ${scope.projectId}`,
    ...(scope.runId !== undefined ? [Prisma.sql`run_id = ${scope.runId}`] : []),
    ...(seq.gt !== undefined ? [Prisma.sql`seq > ${String(seq.gt)}::bigint`] : []),
    ...(seq.lt !== undefined ? [Prisma.sql`seq < ${String(seq.lt)}::bigint`] : []),
  ];
  return queryRaw<Message>(
    ctx.db,
    Prisma.sql`SELECT ${messageSql.columns} FROM messages
     WHERE ${Prisma.join(conditions, ' AND ')}
     ORDER BY seq ${Prisma.raw(orderBy.seq === 'asc' ? 'ASC' : 'DESC')}
     LIMIT ${take}`,
  );
}

export async function updateMessage(
  ctx: ServiceContext,
  threadId: string,
  id: string,
  input: UpdateMessageInput,
  query: MessageQuery = {},
) {
  if (isConversationId(threadId)) {
    throw readOnlyConversation(threadId);
  }
  const data = parseInput(updateMessageSchema, input);
  await assertThreadExists(ctx, threadId);
  const message = { id, threadId, projectId: ctx.actor.projectId };
  // Without metadata there is nothing to change, but the message must still exist.
  const found =
    data.metadata === undefined
      ? (await findMessage(ctx, threadId, id, { select: { id: true } })) !== null
      : await updateMessageMetadata(ctx.db, message, data.metadata ?? {});
  if (!found) {
    throw notFound(id);
  }
  return getMessage(ctx, threadId, id, query);
}

export async function deleteMessage(ctx: ServiceContext, threadId: string, id: string) {
  if (isConversationId(threadId)) {
    throw readOnlyConversation(threadId);
  }
  await assertThreadExists(ctx, threadId);
  if (
    namesNothing(id) ||
    !(await removeMessage(ctx.db, { id, threadId, projectId: ctx.actor.projectId }))
  ) {
    throw notFound(id);
  }
  return { id, deleted: true as const };
}
